export const ROLES = ['sales', 'credit_manager', 'collector', 'order_system', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthContext {
  /** null for the bootstrap admin key from the environment, and for a person signed in. */
  keyId: string | null;
  /** A person signed in (session cookie): their user id. */
  userId?: string;
  /** The key's name, or the person's e-mail: what the audit log records as the actor. */
  name: string;
  role: Role;
}

/** Role groups used by the routes. Admin may call everything, so it is not listed. */
export const CAN = {
  readCustomers: ['sales', 'credit_manager', 'collector'],
  /** Reads the ledger (invoices, payments, credit notes). */
  readLedger: ['credit_manager', 'collector'],
  /** Runs collections: reminders, calls, letters, promises, payment plans, disputes, pauses, waivers. */
  collect: ['collector', 'credit_manager'],
  manageCustomers: ['credit_manager'],
  manageKeys: [],
  checkOrders: ['order_system'],
} as const satisfies Record<string, readonly Role[]>;
