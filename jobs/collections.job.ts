import type { Agenda } from 'agenda';
import { recorded, RETRY_BACKOFF, type JobCounts, type JobDefinitionDeps } from './job-context.js';

export const COLLECTIONS = 'collections';
export const SEND_EMAILS = 'send-emails';

/**
 * The daily collections run: promises and installments reviewed, due dunning steps executed
 * (e-mails, letters, calls, escalations), order blocks refreshed, the outbox sent. Safe to run
 * twice or in two workers at once: each action is written once (unique key per customer, day,
 * step and invoice set).
 */
export function defineCollections(agenda: Agenda, deps: JobDefinitionDeps & { collections: { run(): Promise<JobCounts> } }): void {
  agenda.define(COLLECTIONS, recorded(COLLECTIONS, deps, () => deps.collections.run()), { backoff: RETRY_BACKOFF, concurrency: 1, lockLimit: 1 });
}

/** Sends the e-mails due in the outbox (new ones, and failures whose retry time came). */
export function defineSendEmails(agenda: Agenda, deps: JobDefinitionDeps & { emailOutbox: { sendDue(): Promise<JobCounts> } }): void {
  agenda.define(SEND_EMAILS, recorded(SEND_EMAILS, deps, () => deps.emailOutbox.sendDue()), { concurrency: 1, lockLimit: 1 });
}
