/**
 * What Vigie knows about a company, whatever source said it. Missing data is `null`, never 0.
 */
export type SourceName = 'recherche-entreprises' | 'insee-sirene' | 'bodacc' | 'ratios-inpi-bce' | 'dgccrf';

export interface CompanyIdentity {
  siren: string;
  name: string | null;
  /** INSEE catégorie juridique (e.g. 5710 SAS, 5599 SA, 1000 entrepreneur individuel). */
  legalFormCode: string | null;
  entrepreneurIndividuel: boolean;
  /** NAF rev. 2 code. */
  activityCode: string | null;
  createdOn: string | null;
  status: 'active' | 'ceased' | 'unknown';
  ceasedOn: string | null;
  /** Struck off the trade register (RCS radiation), when known. */
  radiatedOn: string | null;
  /** INSEE tranche d'effectif salarié code ("NN" = no employee). */
  headcountBand: string | null;
  headOffice: { siret: string | null; address: string | null; active: boolean | null } | null;
  directors: Array<{ name: string; role: string | null; kind: 'person' | 'company' }>;
  /** Turnover and net income by year as published; a 0 the source uses for "not published" is null here. */
  finances: Array<{ year: number; revenue: number | null; netIncome: number | null }>;
}

export type LegalEventKind =
  | 'sauvegarde'
  | 'redressement_judiciaire'
  | 'liquidation_judiciaire'
  | 'plan'
  | 'cloture'
  | 'radiation'
  | 'depot_des_comptes'
  | 'vente_cession'
  | 'other';

export interface LegalEvent {
  /** The BODACC announcement id, e.g. "B20220227446". */
  id: string;
  siren: string;
  kind: LegalEventKind;
  publishedOn: string;
  /** BODACC edition: A (sales, collective proceedings), B (changes, radiations), C (accounts). */
  edition: string | null;
  family: string | null;
  /** The judgment's own wording, for collective proceedings. */
  judgment: { nature: string | null; date: string | null; text: string | null } | null;
  /** For a filing of accounts: the closing date of the filed accounts. */
  accountsClosingDate: string | null;
  court: string | null;
  /** A rectificatif or annulation names the announcement it corrects or cancels. */
  correction: { type: 'rectificatif' | 'annulation'; of: string | null } | null;
  url: string | null;
}

export interface FinancialStatement {
  siren: string;
  closingDate: string;
  /** C complete, S simplified, K consolidated. */
  type: 'C' | 'S' | 'K' | string;
  confidentiality: string | null;
  /** Amounts in euros as published (not cents: these are statistics, not money we hold). */
  revenue: number | null;
  ebitda: number | null;
  ebit: number | null;
  netIncome: number | null;
  /** Ratios as published by the dataset, in percent or days as named. */
  ratios: {
    debtRatio: number | null; // taux_d_endettement (%)
    liquidityRatio: number | null; // ratio_de_liquidite (%)
    equityRatio: number | null; // autonomie_financiere (%)
    repaymentCapacity: number | null; // capacite_de_remboursement (years)
    interestCover: number | null; // couverture_des_interets
    ebitdaMargin: number | null; // marge_ebe (%)
    receivableDays: number | null; // credit_clients_jours
    payableDays: number | null; // credit_fournisseurs_jours
    cashFlowMargin: number | null; // caf_sur_ca (%)
    preTaxMargin: number | null; // resultat_courant_avant_impots_sur_ca (%)
    inventoryDays: number | null; // rotation_des_stocks_jours
  };
}

export interface Sanction {
  date: string;
  /** The fine in euro cents. */
  amount: number;
  name: string;
  siret: string | null;
  siren: string | null;
  text: string;
}

/** One adapter per external source: HTTP I/O plus a pure mapper. */
export interface Source {
  readonly name: SourceName;
}
