import { z } from 'zod';
import type { FinancialStatement } from '../source.js';
import { parsePayload } from '../parse.js';
import { opendatasoftPage, unwrapPage } from '../opendatasoft.js';

const SOURCE = 'ratios-inpi-bce';
const num = z.number().nullable().optional();

const fields = z.looseObject({
  siren: z.string(),
  date_cloture_exercice: z.string(),
  type_bilan: z.string(),
  confidentiality: z.string().nullable().optional(),
  chiffre_d_affaires: num,
  ebe: num,
  ebit: num,
  resultat_net: num,
  taux_d_endettement: num,
  ratio_de_liquidite: num,
  autonomie_financiere: num,
  capacite_de_remboursement: num,
  couverture_des_interets: num,
  marge_ebe: num,
  credit_clients_jours: num,
  credit_fournisseurs_jours: num,
  caf_sur_ca: num,
  resultat_courant_avant_impots_sur_ca: num,
  rotation_des_stocks_jours: num,
});

export const pageSchema = opendatasoftPage(fields);

// A confidential figure is absent from the record: it stays null (unknown), never 0.
const v = (x: number | null | undefined) => (x === undefined ? null : x);

export function mapStatements(payload: unknown): FinancialStatement[] {
  const { rows } = unwrapPage<z.infer<typeof fields>>(parsePayload(SOURCE, pageSchema, payload));
  return rows
    .map((f) => ({
      siren: f.siren,
      closingDate: f.date_cloture_exercice,
      type: f.type_bilan,
      confidentiality: f.confidentiality ?? null,
      revenue: v(f.chiffre_d_affaires),
      ebitda: v(f.ebe),
      ebit: v(f.ebit),
      netIncome: v(f.resultat_net),
      ratios: {
        debtRatio: v(f.taux_d_endettement),
        liquidityRatio: v(f.ratio_de_liquidite),
        equityRatio: v(f.autonomie_financiere),
        repaymentCapacity: v(f.capacite_de_remboursement),
        interestCover: v(f.couverture_des_interets),
        ebitdaMargin: v(f.marge_ebe),
        receivableDays: v(f.credit_clients_jours),
        payableDays: v(f.credit_fournisseurs_jours),
        cashFlowMargin: v(f.caf_sur_ca),
        preTaxMargin: v(f.resultat_courant_avant_impots_sur_ca),
        inventoryDays: v(f.rotation_des_stocks_jours),
      },
    }))
    .sort((a, b) => b.closingDate.localeCompare(a.closingDate) || a.type.localeCompare(b.type));
}

/** The statement scoring uses: the latest complete (C) one; consolidated (K) accounts stay apart. */
export function latestComplete(statements: FinancialStatement[]): FinancialStatement | null {
  return statements.filter((s) => s.type === 'C').sort((a, b) => b.closingDate.localeCompare(a.closingDate))[0] ?? null;
}
