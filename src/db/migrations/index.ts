import type { Migration } from 'kysely';
import * as foundation from './20261123000100_foundation.js';
import * as ledger from './20261123000200_ledger_limits_orders.js';
import * as orderCheckFunction from './20261123000300_order_check_function.js';
import * as sourceCache from './20261123000400_source_cache.js';
import * as scoring from './20261124000500_scoring.js';
import * as monitoring from './20261124000600_monitoring.js';
import * as orderCheckPath from './20261124000700_order_check_path.js';
import * as orderCheckBatch from './20261125000800_order_check_batch.js';
import * as ledgerReads from './20261203000900_ledger_reads.js';
import * as creditRules from './20261203001000_credit_rules.js';
import * as orderRechecks from './20261203001100_order_rechecks.js';
import * as jobSchedulerSchema from './20261203001200_job_scheduler_schema.js';
import * as collections from './20261203001300_collections.js';
import * as kpis from './20261203001400_kpis.js';
import * as fec from './20261203001500_fec.js';
import * as insolvency from './20261207001600_insolvency.js';
import * as creditInsurance from './20261207001700_credit_insurance.js';
import * as legalCases from './20261207001800_legal_cases.js';
import * as users from './20261207001900_users.js';
import * as portfolio from './20261207002000_portfolio.js';
import * as portfolioPositions from './20261207002100_portfolio_positions.js';
import * as orderDeclines from './20261207002200_order_declines.js';
import * as companyIdentity from './20261208002300_company_identity.js';

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Record<string, Migration> = {
  '20261123000100_foundation': foundation,
  '20261123000200_ledger_limits_orders': ledger,
  '20261123000300_order_check_function': orderCheckFunction,
  '20261123000400_source_cache': sourceCache,
  '20261124000500_scoring': scoring,
  '20261124000600_monitoring': monitoring,
  '20261124000700_order_check_path': orderCheckPath,
  '20261125000800_order_check_batch': orderCheckBatch,
  '20261203000900_ledger_reads': ledgerReads,
  '20261203001000_credit_rules': creditRules,
  '20261203001100_order_rechecks': orderRechecks,
  '20261203001200_job_scheduler_schema': jobSchedulerSchema,
  '20261203001300_collections': collections,
  '20261203001400_kpis': kpis,
  '20261203001500_fec': fec,
  '20261207001600_insolvency': insolvency,
  '20261207001700_credit_insurance': creditInsurance,
  '20261207001800_legal_cases': legalCases,
  '20261207001900_users': users,
  '20261207002000_portfolio': portfolio,
  '20261207002100_portfolio_positions': portfolioPositions,
  '20261207002200_order_declines': orderDeclines,
  '20261208002300_company_identity': companyIdentity,
};
