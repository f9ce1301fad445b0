/**
 * Domain errors say what went wrong, never an HTTP status: src/http/error-handler.ts maps them.
 */
export interface ErrorDetail {
  field?: string;
  message: string;
  [key: string]: unknown;
}

export abstract class DomainError extends Error {
  abstract readonly kind:
    | 'invalid_input'
    | 'not_found'
    | 'conflict'
    | 'forbidden'
    | 'unauthenticated'
    | 'upstream_unavailable'
    | 'payload_too_large'
    | 'rate_limited';
  constructor(
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInput extends DomainError {
  readonly kind = 'invalid_input' as const;
  constructor(message: string, details: ErrorDetail[] = [], code = 'invalid_input') {
    super(code, message, details);
  }
  static field(field: string, message: string, code = 'invalid_input'): InvalidInput {
    return new InvalidInput(`${field}: ${message}`, [{ field, message }], code);
  }
}

export class NotFound extends DomainError {
  readonly kind = 'not_found' as const;
  constructor(message: string, code = 'not_found') {
    super(code, message);
  }
}

export class Conflict extends DomainError {
  readonly kind = 'conflict' as const;
  constructor(message: string, code = 'conflict', details: ErrorDetail[] = []) {
    super(code, message, details);
  }
}

export class Forbidden extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor(message: string, code = 'forbidden') {
    super(code, message);
  }
}

export class Unauthenticated extends DomainError {
  readonly kind = 'unauthenticated' as const;
  constructor(message: string, code = 'unauthenticated') {
    super(code, message);
  }
}

export class UpstreamUnavailable extends DomainError {
  readonly kind = 'upstream_unavailable' as const;
  constructor(
    readonly source: string,
    message: string,
    code = 'upstream_unavailable',
  ) {
    super(code, message, [{ field: source, message }]);
  }
}

/** Too many attempts (sign-in): try again after `retryAfterSeconds`. */
export class RateLimited extends DomainError {
  readonly kind = 'rate_limited' as const;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    code = 'rate_limited',
  ) {
    super(code, message);
  }
}
