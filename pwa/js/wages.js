// The wage check on the phone: the JS twin of server/wages/ (check.py, rules.py, messages.py).
//
// Reads the log's records and the pack's `wage_rules` (WageJurisdiction objects), never
// hard-coded wage figures. Must give exactly the same report as the Python check: both run the
// shared vectors in tests/wage_vectors/, and tests/test_wages_parity.py compares whole reports.
// Money is kept as exact fractions of a cent (BigInt) and rounded half up only when reported.

import { forWageCheck } from './log/shifts.js';

// --- exact fractions ---------------------------------------------------------------------

const big = (v) => (typeof v === 'bigint' ? v : BigInt(v));
const gcd = (a, b) => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
};
const floorDiv = (a, b) => {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
};

class Frac {
  constructor(n, d = 1n) {
    n = big(n);
    d = big(d);
    if (d < 0n) { n = -n; d = -d; }
    const g = gcd(n, d) || 1n;
    this.n = n / g;
    this.d = d / g;
  }
  static of(v) { return v instanceof Frac ? v : new Frac(v); }
  add(o) { o = Frac.of(o); return new Frac(this.n * o.d + o.n * this.d, this.d * o.d); }
  sub(o) { o = Frac.of(o); return new Frac(this.n * o.d - o.n * this.d, this.d * o.d); }
  mul(o) { o = Frac.of(o); return new Frac(this.n * o.n, this.d * o.d); }
  div(o) { o = Frac.of(o); return new Frac(this.n * o.d, this.d * o.n); }
  cmp(o) { o = Frac.of(o); const l = this.n * o.d; const r = o.n * this.d; return l < r ? -1 : l > r ? 1 : 0; }
}
const ZERO = new Frac(0n);
const fsum = (items) => items.reduce((a, b) => a.add(b), ZERO);
const fmax = (a, b) => (Frac.of(a).cmp(b) >= 0 ? Frac.of(a) : Frac.of(b));
const fmin = (a, b) => (Frac.of(a).cmp(b) <= 0 ? Frac.of(a) : Frac.of(b));

/** Half up, for values >= 0. */
export function roundCents(f) {
  f = Frac.of(f);
  return Number(floorDiv(2n * f.n + f.d, 2n * f.d));
}

// --- dates as day numbers ----------------------------------------------------------------

const DAY_MS = 86400000;
const dayNum = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
const isoOf = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const weekdayOf = (n) => (new Date(n * DAY_MS).getUTCDay() + 6) % 7; // Monday = 0
const yearOf = (n) => new Date(n * DAY_MS).getUTCFullYear();

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

// --- program rules (mirror of server/wages/rules.py) -------------------------------------

const ECFR = 'https://www.ecfr.gov/current';
const SRC_H2A_CONTRACT = ['20 CFR 655.122 (H-2A contents of job offers)', `${ECFR}/title-20/section-655.122`];
const SRC_H2A_ASSURANCES = ['20 CFR 655.135 (H-2A assurances: no recruitment fees)', `${ECFR}/title-20/section-655.135`];
const SRC_H2A_WAGE = ['20 CFR 655.120 (H-2A offered wage rate: the highest of the AEWR and the other rates)', `${ECFR}/title-20/section-655.120`];
const SRC_H2B = ['20 CFR 655.20 (H-2B employer obligations)', `${ECFR}/title-20/section-655.20`];
const SRC_ONE_EMPLOYER_WEEK = ["29 CFR 778.103 (one employer's hours in a workweek count together)", `${ECFR}/title-29/section-778.103`];
const SRC_FIRST_WEEK_H2A = ['29 CFR 531.35; Arriaga v. Florida Pacific Farms (11th Cir. 2002): first-week travel and visa', `${ECFR}/title-29/section-531.35`];
const SRC_FIRST_WEEK_H2B = ['WHD FAB 2009-2; 20 CFR 655.20(j): H-2B first-week travel', 'https://www.dol.gov/agencies/whd/field-assistance-bulletins/2009-2'];
const SRC_OT_DEDUCTIONS = ['29 CFR 531.37 (deductions in overtime workweeks: judged against 40 straight-time hours)', `${ECFR}/title-29/section-531.37`];
const SRC_FREE_AND_CLEAR = ['29 CFR 531.35 (wages paid free and clear)', `${ECFR}/title-29/section-531.35`];
const AEWR_VALID_DAYS = 365;
const THREE_FOURTHS = new Frac(3n, 4n);
const H2B_GUARANTEE_WEEKS = 12;
const H2B_GUARANTEE_SHORT_WEEKS = 6;
const H2B_SHORT_JOB_DAYS = 120;
const PROGRAM_PAY_DAYS = { h2a: [16, SRC_H2A_CONTRACT], h2b: [14, SRC_H2B] };
const FREQUENCY_DAYS = { weekly: 7, biweekly: 14, semimonthly: 16, monthly: 31 };
const FORBIDDEN_DEDUCTIONS = {
  h2a: { housing: SRC_H2A_CONTRACT, tools: SRC_H2A_CONTRACT, recruitment_fee: SRC_H2A_ASSURANCES },
  h2b: { tools: SRC_H2B, recruitment_fee: SRC_H2B, visa: SRC_H2B },
};
const EMPLOYER_BENEFIT_DEDUCTIONS = ['tools', 'uniform', 'recruitment_fee', 'visa'];
const STATEMENT_ITEMS = ['employer_name', 'employer_address', 'employer_fein', 'pay_period',
  'hours_offered', 'hours_worked', 'rate', 'gross', 'deductions'];

export const dollarsToCents = (v) => Math.floor(v * 100 + 0.5);
const hoursToMinutes = (v) => Math.floor(v * 60 + 0.5);

function rateInForce(rates, day) {
  let best = null;
  for (const rate of rates || []) {
    const eff = dayNum(rate.effective);
    if (eff <= day && (best === null || eff >= dayNum(best.effective))) best = rate;
  }
  return best;
}

function overtimeSteps(j, industry) {
  const ot = j.overtime || {};
  if (industry === 'agriculture' && ot.agriculture && ot.agriculture.length) return ot.agriculture;
  if (industry === 'domestic' && ot.domestic && ot.domestic.length) return ot.domestic;
  return ot.general || [];
}

function stepsInForce(steps, day, size) {
  const latest = new Map();
  let sizeMattered = false;
  for (const step of steps) {
    if (dayNum(step.effective) > day) continue;
    const track = step.employer_size_min || 0;
    if (track && (size == null || size < track)) {
      sizeMattered = sizeMattered || size == null;
      continue;
    }
    if (!latest.has(track) || dayNum(step.effective) >= dayNum(latest.get(track).effective)) {
      latest.set(track, step);
    }
  }
  return [[...latest.keys()].sort((a, b) => a - b).map((k) => latest.get(k)), sizeMattered];
}

// --- messages (mirror of server/wages/messages.py) ---------------------------------------

export const MESSAGES = {
  minimum_wage: ['Salario mínimo en vigor el {date}: {rate} por hora ({where}).',
    'Minimum wage in force on {date}: {rate} an hour ({where}).'],
  regional_minimum_wage: ['Su trabajo es en {region}: el salario mínimo allí es {rate} por hora.',
    'Your work is in {region}: the minimum wage there is {rate} an hour.'],
  aewr: ['Tarifa AEWR de H-2A para {state} en vigor el {date}: {rate} por hora.',
    'H-2A AEWR for {state} in force on {date}: {rate} an hour.'],
  aewr_skill: ['Tarifa AEWR de H-2A para {state}, nivel {level}, en vigor el {date}: {rate} por hora.',
    'H-2A AEWR for {state}, level {level}, in force on {date}: {rate} an hour.'],
  aewr_skill_housing: ['Tarifa AEWR de H-2A para {state}, nivel {level}, en vigor el {date}: {full} por hora menos {housing} por vivienda (solo H-2A) = {rate}.',
    'H-2A AEWR for {state}, level {level}, in force on {date}: {full} an hour less {housing} for housing (H-2A only) = {rate}.'],
  job_order_rate: ['Tarifa de su oferta de trabajo (job order): {rate} por hora.',
    'Job-order rate: {rate} an hour.'],
  promised_rate: ['Tarifa prometida: {rate} por hora. Es la más alta, así que es la que cuenta.',
    'Promised rate: {rate} an hour. It is the highest, so it is the one that counts.'],
  overtime: ['Horas extra ({where}): {rule}.',
    'Overtime ({where}): {rule}.'],
  overtime_none: ['Según los datos, no hay pago de horas extra para este trabajo ({where}).',
    'Under the data, there is no overtime pay for this work ({where}).'],
  regular_rate: ['Su tarifa regular esta semana es lo ganado a tiempo normal entre las horas: {rate} por hora. Cada hora extra paga la mitad de esa tarifa además.',
    'Your regular rate this week is straight-time pay divided by hours: {rate} an hour. Each overtime hour pays half that rate on top.'],
  salary_regular_rate: ['Sueldo ({where}): {salary} por semana entre {hours} da una tarifa regular de {rate} por hora. El sueldo paga solo las horas normales; cada hora extra se paga aparte a 1.5 veces esa tarifa, y cada hora doble a 2 veces.',
    'Salary ({where}): {salary} a week divided by {hours} gives a regular rate of {rate} an hour. The salary pays only the regular hours; each overtime hour is paid on top at 1.5 times that rate, and each double-time hour at 2 times.'],
  employer_hours_combined: ['Se sumaron {hours} de otros trabajos con el mismo empleador: las horas de la semana cuentan juntas para horas extra.',
    '{hours} from other jobs with the same employer were added: the week\'s hours count together for overtime.'],
  piece_makeup: ['Lo ganado por pieza o por día ({piece}) fue menos que el mínimo por sus horas ({floor}). El empleador debe completar la diferencia.',
    'Piece or day pay ({piece}) was less than the minimum for your hours ({floor}). The employer must make up the difference.'],
  underpaid: ['Le correspondían {expected}: sus horas por la tarifa más alta que aplica, más las horas extra. Le pagaron {paid} (bruto). Faltan {amount}. Solo el mínimo de la ley era {legal}.',
    'You were due {expected}: your hours at the highest rate that applies, plus overtime. You were paid {paid} (gross). {amount} is missing. The legal minimum alone was {legal}.'],
  deduction_not_allowed: ['Le descontaron {amount} por {kind}. A trabajadores {program} no se les puede descontar eso.',
    '{amount} was taken out for {kind}. That cannot be taken out of {program} workers\' pay.'],
  deduction_below_minimum: ['Los descuentos por {kinds} ({deducted}) bajaron su pago por debajo del salario mínimo de sus horas ({minimum}). Esa parte ({amount}) se le debe devolver.',
    'Deductions for {kinds} ({deducted}) brought your pay below the minimum wage for your hours ({minimum}). That part ({amount}) must be paid back.'],
  deduction_overtime_week: ['En una semana con horas extra, los descuentos por {kinds} ({deducted}) fueron más de lo permitido: después de ellos le debe quedar al menos el salario mínimo de sus horas normales más todo el pago de sus horas extra ({minimum}). Esa parte ({amount}) se le debe devolver.',
    'In a week with overtime, deductions for {kinds} ({deducted}) took more than allowed: after them you must keep at least the minimum wage for your straight-time hours plus all your overtime pay ({minimum}). That part ({amount}) must be paid back.'],
  no_pay_statement: ['No le dieron talón de pago con este pago. Los trabajadores {program} deben recibir uno cada vez.',
    'You got no pay statement with this payment. {program} workers must get one every time.'],
  statement_missing_items: ['Al talón de pago le falta: {items}.',
    'The pay statement is missing: {items}.'],
  no_pay_recorded: ['Registró trabajo del {start} al {end} pero ningún pago, y ya pasó la fecha de pago. Si le pagaron, registre el pago. Si no, le deben al menos {amount}.',
    'You logged work from {start} to {end} but no pay, and payday has passed. If you were paid, log the pay. If not, you are owed at least {amount}.'],
  pay_late: ['Pasaron {days} días entre pagos ({start} a {end}). El máximo es {max} días.',
    '{days} days passed between paydays ({start} to {end}). The most allowed is {max} days.'],
  pay_overdue: ['No hay pago registrado después del {start}. Ya pasaron {days} días (máximo {max}).',
    'No pay is logged after {start}. {days} days have passed (most allowed: {max}).'],
  three_fourths_shortfall: ['Garantía de tres cuartas partes: del {start} al {end} le debían ofrecer al menos {guaranteed} de trabajo. Registró {worked}. Por las horas que faltan le deben {amount}, salvo si usted dejó el trabajo o lo despidieron con causa.',
    'Three-fourths guarantee: from {start} to {end} you had to be offered at least {guaranteed} of work. You logged {worked}. For the missing hours you are owed {amount}, unless you quit or were fired for cause.'],
  travel_not_reimbursed: ['Ya pasó la mitad del contrato ({date}). El empleador debe devolverle el viaje y la comida del viaje de ida. Faltan {amount}.',
    'Half of the contract has passed ({date}). The employer must pay back your inbound travel and meals on the way. {amount} is missing.'],
  visa_fees_not_reimbursed: ['La visa y los gastos de frontera se deben pagar en la primera semana de trabajo (terminó el {date}). Faltan {amount}.',
    'Visa and border fees must be paid in the first workweek (it ended on {date}). {amount} is missing.'],
  recruitment_fee: ['Pagó {amount} de cuota de reclutamiento. A trabajadores {program} no se les puede cobrar. Se puede reclamar.',
    'You paid a recruitment fee of {amount}. {program} workers may not be charged one. It can be claimed.'],
  first_week_reimbursement: ['Primera semana ({start} a {end}): pagó {costs} de viaje o visa, gastos del empleador; su pago ({pay}) menos eso quedó bajo el mínimo federal por sus horas ({minimum}). Le debían devolver {amount} esa semana.',
    'First workweek ({start} to {end}): you paid {costs} for travel or the visa, the employer\'s costs; your pay ({pay}) less that fell below the federal minimum for your hours ({minimum}). {amount} was owed back that week.'],
  visa_fee_ask: ['Pagó {amount} de visa. Si ese gasto dejó su pago de la primera semana por debajo del mínimo, el empleador debe devolver esa parte. Pregunte a la División de Horas y Salarios.',
    'You paid {amount} for the visa. If that cost left your first week\'s pay below the minimum wage, the employer must pay that part back. Ask the Wage and Hour Division.'],
  no_state_rules: ['No hay datos de salario de {state}. Se usaron solo las reglas federales.',
    'There is no wage data for {state}. Only federal rules were used.'],
  no_minimum_wage: ['No hay salario mínimo en los datos para el {date}.',
    'There is no minimum wage in the data for {date}.'],
  aewr_missing: ['No hay AEWR de {state} en los datos para su trabajo del {start} al {end}; solo se pudo usar el salario mínimo ({rate}), y la tarifa H-2A casi siempre es más alta: le podrían deber más. Escriba en el trabajo la tarifa y el nivel de su oferta de trabajo (job order).',
    'There is no {state} AEWR in the data for your work from {start} to {end}; only the minimum wage ({rate}) could be used, and the H-2A rate is almost always higher: you could be owed more. Enter your job order\'s rate and level in the job.'],
  aewr_new_method: ['Ofertas de trabajo presentadas desde el {date}: la AEWR depende del nivel de habilidad (I o II) y baja por vivienda para H-2A. Los datos no la tienen, así que del {start} al {end} no se usó la AEWR anterior ({rate}). Escriba en el trabajo la tarifa y el nivel de su oferta de trabajo (job order).',
    'Job orders filed from {date}: the AEWR depends on the skill level (I or II) and is lowered for housing for H-2A. The data lacks it, so from {start} to {end} the older AEWR ({rate}) was not used. Enter your job order\'s rate and level in the job.'],
  skill_level_unknown: ['Falta el nivel de habilidad de su oferta de trabajo: se usó el más bajo ({level}). Si es otro, escríbalo: le podrían deber más.',
    'Your job order\'s skill level is missing: the lower one ({level}) was used. If it is another, enter it: you could be owed more.'],
  housing_adjustment_unknown: ['Los datos no tienen el ajuste por vivienda de esta AEWR: con vivienda gratis, la tarifa H-2A puede ser algo menor. Su oferta de trabajo la dice.',
    'The data lacks this AEWR\'s housing adjustment: with free housing the H-2A rate may be a little lower. Your job order says it.'],
  no_aewr: ['No hay tarifa AEWR de {state} para {year} en los datos. Donde faltó, se usó la tarifa de su oferta de trabajo (job order) si la escribió, y si no el salario mínimo; la AEWR podría ser más alta.',
    'There is no {state} AEWR for {year} in the data. Where it was missing, the rate you entered from your job order was used, or else the minimum wage; the AEWR could be higher.'],
  state_minimum_excludes_industry: ['El salario mínimo de {state} ({rate}) no cubre {industry}. Se usó el mínimo federal.',
    '{state}\'s minimum wage ({rate}) does not cover {industry}. The federal minimum was used.'],
  state_minimum_small_employer: ['El salario mínimo de {state} ({rate}) cubre solo a empleadores con {size} empleados o más. Su empleador tiene menos, así que se usó el mínimo federal.',
    '{state}\'s minimum wage ({rate}) covers only employers with {size} or more employees. Yours has fewer, so the federal minimum was used.'],
  state_minimum_size_unknown: ['El salario mínimo de {state} ({rate}) cubre solo a empleadores con {size} empleados o más. No sabemos cuántos tiene el suyo, así que se usó el mínimo federal. Si tiene {size} o más, escriba el número de empleados en el trabajo: podrían deberle más.',
    '{state}\'s minimum wage ({rate}) covers only employers with {size} or more employees. We do not know how many yours has, so the federal minimum was used. If it has {size} or more, enter the number of employees in the job: you could be owed more.'],
  regional_minimum: ['Se usó el salario mínimo general de {state}. En {region} el mínimo es más alto ({rate}): si trabaja allí, le podrían deber más.',
    '{state}\'s general minimum wage was used. In {region} the minimum is higher ({rate}): if you work there, you could be owed more.'],
  same_employer_weeks: ['Sus trabajos con el mismo empleador pasan de 40 horas en la misma semana, pero sus semanas empiezan en días distintos y se revisaron por separado: le podrían deber horas extra.',
    'Your jobs with the same employer pass 40 hours in the same week, but their workweeks start on different days and were checked apart: you could be owed overtime.'],
  live_in_domestic: ['Si usted vive en la casa donde trabaja, las horas extra son otras ({rules}). Esta revisión supone que no vive ahí. La ley federal tampoco da salario mínimo ni horas extra a quien acompaña a una persona mayor o enferma y lo contrata la familia; la ley del estado puede darlos.',
    'If you live in the home where you work, overtime is different ({rules}). This check assumes you do not live there. Federal law also gives no minimum wage or overtime to a companion of an older or sick person hired by the family; state law may.'],
  employer_size_unknown: ['No sabemos cuántos empleados tiene el empleador. Se usó la regla de horas extra para empleadores pequeños. Si tiene más, podrían deberle más.',
    'We do not know how many employees the employer has. The overtime rule for small employers was used. If it has more, you could be owed more.'],
  no_piece_rate: ['No registró la tarifa por pieza o por día. Se revisó solo contra el mínimo.',
    'No piece or day rate was logged. Pay was checked only against the minimum.'],
  h2a_period_topup: ['H-2A: lo ganado por pieza o por día se compara con la tarifa por hora de H-2A en cada periodo de pago; si no llega, el empleador completa la diferencia en ese periodo. Cada semana, además, debe llegar al salario mínimo. Por eso lo esperado por periodo puede ser más que la suma de las semanas.',
    'H-2A: piece or day earnings are compared with the H-2A hourly rate for each pay period; if they fall short, the employer makes up the difference for that period. Each week must also reach the minimum wage. So expected pay for a period can be more than the weeks add up to.'],
  salary_half_time: ['Para un sueldo, esta revisión pagó cada hora extra a la mitad de la tarifa regular (el sueldo entre todas las horas). La ley federal permite eso solo si usted y el empleador acordaron que el sueldo fijo cubre todas las horas de cada semana, sean muchas o pocas. Si no hubo ese acuerdo, le podrían deber más por cada hora extra.',
    'For a salary, this check paid each overtime hour at half the regular rate (the salary divided by all hours). Federal law allows that only if you and the employer agreed that the fixed salary covers all hours of each week, however many or few. Without that agreement, you could be owed more for each overtime hour.'],
  farm_minimum_exemptions: ['La ley federal no da salario mínimo en el campo si el empleador usó 500 días-trabajador de trabajo agrícola o menos en cada trimestre del año pasado, ni a quien cosecha a mano pagado por pieza, regresa a su casa cada día y trabajó menos de 13 semanas en el campo el año pasado. Esta revisión supone que eso no es su caso. La ley del estado puede dar más.',
    'Federal law gives no minimum wage on a farm whose employer used 500 worker-days of farm labor or fewer in every quarter of last year, nor to a hand harvester paid by the piece who goes home every day and worked fewer than 13 weeks in farm work last year. This check assumes neither is your case. State law may give more.'],
  three_fourths_unknown: ['Faltan las fechas del contrato o las horas por semana del job order. Sin ellas no se puede revisar la garantía de tres cuartas partes.',
    'The contract dates or the job order\'s hours per week are missing. Without them the three-fourths guarantee cannot be checked.'],
  shift_invalid: ['El turno del {date} tiene un descanso igual o más largo que el turno. No se contó.',
    'The shift on {date} has a break as long as the shift or longer. It was not counted.'],
  statement_rules_state: ['Lo que debe decir un talón de pago para trabajadores que no son H-2A/H-2B depende del estado. Eso no se revisó.',
    'What a pay statement must show for workers who are not H-2A/H-2B depends on the state. That was not checked.'],
  no_overtime_rules: ['No hay reglas de horas extra en los datos. No se calcularon horas extra.',
    'There are no overtime rules in the data. Overtime was not computed.'],
};

export const LABELS = {
  income_tax: ['impuesto federal', 'federal income tax'], social_security: ['Seguro Social', 'Social Security'],
  medicare: ['Medicare', 'Medicare'], state_tax: ['impuesto estatal', 'state tax'],
  garnishment: ['embargo', 'garnishment'], housing: ['vivienda', 'housing'], meals: ['comida', 'meals'],
  tools: ['herramientas', 'tools'], uniform: ['uniforme', 'uniform'], transport: ['transporte', 'transport'],
  recruitment_fee: ['cuota de reclutamiento', 'recruitment fee'], visa: ['visa', 'visa'],
  advance: ['adelanto', 'advance'], insurance: ['seguro', 'insurance'], other: ['otro', 'other'],
  industry_agriculture: ['el trabajo agrícola', 'farm work'],
  industry_construction: ['la construcción', 'construction work'],
  industry_restaurants: ['el trabajo en restaurantes', 'restaurant work'],
  industry_cleaning: ['el trabajo de limpieza', 'cleaning work'],
  industry_meatpacking: ['el trabajo en empacadoras de carne', 'meatpacking work'],
  industry_landscaping: ['la jardinería', 'landscaping work'],
  industry_domestic: ['el trabajo doméstico', 'domestic work'],
  industry_hospitality: ['el trabajo en hoteles', 'hotel work'],
  industry_other: ['este trabajo', 'this work'],
  employer_name: ['nombre del empleador', 'employer name'],
  employer_address: ['dirección del empleador', 'employer address'],
  employer_fein: ['número de empleador (FEIN)', 'employer FEIN'], pay_period: ['fechas del periodo', 'pay period dates'],
  hours_offered: ['horas ofrecidas', 'hours offered'], hours_worked: ['horas trabajadas', 'hours worked'],
  rate: ['tarifa', 'rate'], piece_units: ['piezas por día', 'pieces per day'], gross: ['total ganado', 'total earnings'],
  deductions: ['descuentos detallados', 'itemized deductions'], net: ['pago neto', 'net pay'],
};

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => {
  if (!(k in values)) throw new Error(`missing ${k}`);
  return values[k];
});
function text(code, es, en = null) {
  const [tEs, tEn] = MESSAGES[code];
  return { es: fill(tEs, es), en: fill(tEn, en === null ? es : en) };
}

export function money(cents) {
  const sign = cents < 0 ? '-' : '';
  const c = Math.abs(cents);
  return `${sign}$${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

export function duration(minutes) {
  const h = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

const src = (s) => (s ? { title: s[0], url: s[1] } : null);
const dataSrc = (r) => ({ title: r.source.title, url: r.source.url });
const program = (status) => (status === 'h2a' ? 'H-2A' : 'H-2B');

function otRuleText(step) {
  const es = [];
  const en = [];
  if (step.daily_after != null) {
    const h = duration(hoursToMinutes(step.daily_after));
    es.push(`tiempo y medio después de ${h} por día`);
    en.push(`time and a half after ${h} a day`);
  }
  if (step.daily_double_after != null) {
    const h = duration(hoursToMinutes(step.daily_double_after));
    es.push(`doble después de ${h} por día`);
    en.push(`double time after ${h} a day`);
  }
  if (step.weekly_after != null) {
    const h = duration(hoursToMinutes(step.weekly_after));
    es.push(`tiempo y medio después de ${h} por semana`);
    en.push(`time and a half after ${h} a week`);
  }
  if (step.seventh_day) {
    es.push('pago extra el séptimo día seguido de la semana');
    en.push('extra pay on the seventh day in a row of the workweek');
  }
  return [es.join('; '), en.join('; ')];
}

class Notes {
  constructor() { this.items = []; this.seen = new Set(); }
  add(code, key, values = {}, en = null) {
    const k = `${code}|${key}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.items.push({ code, explanation: text(code, values, en) });
  }
}

function splitShift(shift) {
  const [sh, sm] = shift.start.split(':').map(Number);
  const [eh, em] = shift.end.split(':').map(Number);
  const start = sh * 60 + sm;
  let end = eh * 60 + em;
  if (end <= start) end += 1440;
  let first = Math.min(end, 1440) - start;
  let second = end > 1440 ? end - 1440 : 0;
  const brk = shift.break_minutes || 0;
  const take = Math.min(brk, first);
  first -= take;
  second -= brk - take;
  const day = dayNum(shift.date);
  const parts = [[day, first]];
  if (end > 1440) parts.push([day + 1, second]);
  return parts;
}

const weekStartOf = (day, startIndex) => day - (((weekdayOf(day) - startIndex) % 7) + 7) % 7;

function otMinutes(step, days, seventh) {
  const n = days.length;
  const ot = new Array(n).fill(0);
  const dbl = new Array(n).fill(0);
  if (step === null) return [ot, dbl];
  const da = step.daily_after != null ? hoursToMinutes(step.daily_after) : null;
  const dd = step.daily_double_after != null ? hoursToMinutes(step.daily_double_after) : null;
  const wa = step.weekly_after != null ? hoursToMinutes(step.weekly_after) : null;
  const reg = new Array(n).fill(0);
  days.forEach(([, m], i) => {
    if (seventh && step.seventh_day && i === n - 1) {
      // The 7th day: time and a half up to `seventh_day_after` (default: the daily threshold),
      // double after it (CA Labor Code 510, for farm work also 862(b)).
      const sda = step.seventh_day_after ? hoursToMinutes(step.seventh_day_after) : da;
      ot[i] = sda === null ? m : Math.min(m, sda);
      dbl[i] = m - ot[i];
    } else {
      dbl[i] = dd !== null ? Math.max(0, m - dd) : 0;
      ot[i] = da !== null ? Math.max(0, Math.min(m, dd !== null ? dd : m) - da) : 0;
    }
    reg[i] = m - ot[i] - dbl[i];
  });
  if (wa !== null) {
    let extra = Math.max(0, reg.reduce((a, b) => a + b, 0) - wa);
    for (let i = n - 1; i >= 0; i -= 1) {
      if (extra <= 0) break;
      const move = Math.min(extra, reg[i]);
      reg[i] -= move;
      ot[i] += move;
      extra -= move;
    }
  }
  return [ot, dbl];
}

const sumInts = (a) => a.reduce((x, y) => x + y, 0);
const tupleCmp = (a, b) => {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
};

// job.region for work outside every region a state lists (its general minimum wage applies).
export const REST_OF_STATE = 'rest-of-state';

const roman = (level) => (level === 1 ? 'I' : 'II');

// A 2025-method AEWR entry as a floor: the rate less the housing adjustment, if the data has it.
function skillFigure(entry) {
  const rate = dollarsToCents(entry.rate);
  const housing = entry.housing_adjustment != null ? dollarsToCents(entry.housing_adjustment) : null;
  return { cents: Math.max(0, rate - (housing || 0)), source: { title: entry.source.title, url: entry.source.url },
    level: entry.level, rateCents: rate, housingCents: housing };
}

// Regular rate per minute (with the promise, and the law's alone) for the week: this job's, or
// with the employer's other jobs that week, the weighted average of all.
function regularRates(straight, legal, minutes, peerPay) {
  const allMinutes = minutes + sumInts(peerPay.map((p) => p[2]));
  return [fsum([straight, ...peerPay.map((p) => p[0])]).div(allMinutes),
    fsum([legal, ...peerPay.map((p) => p[1])]).div(allMinutes)];
}

// This job's overtime and double-time minutes per day, from the employer's combined day. A
// day's overtime is its last hours; with several jobs that day, the job listed later in the log
// is taken to be the later work: double time first, then overtime, from the last job back.
function ownShare(days, combined, perJob, me, otAll, dblAll) {
  const mine = new Map();
  combined.forEach(([day], k) => {
    let dblLeft = dblAll[k];
    let otLeft = otAll[k];
    for (let q = perJob[k].length - 1; q >= 0; q -= 1) {
      const minutes = perJob[k][q];
      const takeDbl = Math.min(minutes, dblLeft);
      const takeOt = Math.min(minutes - takeDbl, otLeft);
      dblLeft -= takeDbl;
      otLeft -= takeOt;
      if (q === me) mine.set(day, [takeOt, takeDbl]);
    }
  });
  return [days.map(([d]) => (mine.get(d) || [0, 0])[0]), days.map(([d]) => (mine.get(d) || [0, 0])[1])];
}

function newDay() {
  return { minutes: 0, units: 0, starts: 0, floor: 0, minimum: 0, minWage: 0, floorSrc: null,
    otWeight: 0, regMinutes: 0, otPay: ZERO, piecePay: ZERO, otSrc: null, straight: ZERO, legalStraight: ZERO, expected: ZERO, legal: ZERO };
}

class JobCheck {
  constructor(job, employer, records, juris, asOf, reportNotes) {
    this.job = {
      status: 'other', pay_type: 'hourly', workweek_start: 'sunday', promised_rate_cents: null,
      employer_size: null, pay_frequency: null, contract_start: null, contract_end: null,
      job_order_hours_per_week: null, job_order_rate_cents: null, skill_level: null, region: null, ...job,
    };
    this.employer = employer;
    this.records = records;
    this.fed = juris.get('federal') || null;
    this.state = juris.get(this.job.state) || null;
    this.asOf = asOf;
    this.notes = new Notes();
    this.reportNotes = reportNotes;
    this.days = new Map();
    this.aewrMissing = new Set();
    this.aewrNewMethod = new Map();
    this.federalMinimumUsed = false;
    this.stateMinOut = this.stateMinimumLeftOut();
    this.position = 0; // place in the log's job list
    this.peers = []; // the employer's other jobs with the same workweek
    this.collected = false;
    this.weekResults = [];
    // Each week's [straight-time pay, legal straight-time pay, minutes], for the peers' weighted
    // regular rate (29 CFR 778.115).
    this.weekPay = new Map();
  }

  // Why the state minimum wage does not cover this job, if it does not (W5: NE).
  stateMinimumLeftOut() {
    const cov = this.state !== null ? this.state.minimum_wage_coverage || null : null;
    if (cov === null) return null;
    if ((cov.excludes_industries || []).includes(this.job.industry)) return 'industry';
    if (cov.employer_size_min != null) {
      if (this.job.employer_size == null) return 'size_unknown';
      if (this.job.employer_size < cov.employer_size_min) return 'size';
    }
    return null;
  }

  aewrMethodChange(day) {
    let best = null;
    for (const j of [this.fed, this.state]) {
      if (j === null) continue;
      for (const change of j.aewr_method_changes || []) {
        if (dayNum(change.effective) <= day && (best === null || dayNum(change.effective) > dayNum(best.effective))) best = change;
      }
    }
    return best;
  }

  noteStateMinimumLeftOut(cents) {
    const cov = this.state.minimum_wage_coverage;
    const values = { state: this.job.state, rate: money(cents) };
    if (this.stateMinOut === 'industry') {
      const [esInd, enInd] = LABELS[`industry_${this.job.industry}`];
      this.notes.add('state_minimum_excludes_industry', '', { ...values, industry: esInd }, { ...values, industry: enInd });
      return;
    }
    const code = this.stateMinOut === 'size' ? 'state_minimum_small_employer' : 'state_minimum_size_unknown';
    this.notes.add(code, '', { ...values, size: String(cov.employer_size_min) });
  }

  day(d) {
    if (!this.days.has(d)) this.days.set(d, newDay());
    return this.days.get(d);
  }

  minimum(day) {
    let best = [0, null, ''];
    for (const [where, j] of [['federal', this.fed], [this.job.state, this.state]]) {
      if (j === null) continue;
      const rate = rateInForce(j.minimum_wage, day);
      if (rate === null) continue;
      const cents = dollarsToCents(rate.rate);
      if (j === this.state && this.stateMinOut !== null) {
        // The state's minimum does not cover this job: say so only when it mattered.
        if (cents > best[0]) this.noteStateMinimumLeftOut(cents);
        continue;
      }
      if (cents > best[0]) best = [cents, rate, where];
    }
    if (this.state !== null && this.stateMinOut === null) {
      const region = this.region();
      for (const other of this.state.regional_minimum_wage || []) {
        const rate = rateInForce(other.rates, day);
        if (rate === null || dollarsToCents(rate.rate) <= best[0]) continue;
        if (other === region) {
          // The job says the work is in this region: its higher rate is the minimum.
          best = [dollarsToCents(rate.rate), rate, this.job.state];
        } else if (region === null && this.job.region !== REST_OF_STATE) {
          // Where in the state the work is, the log does not say: name the higher rate.
          const values = { state: this.job.state, rate: money(dollarsToCents(rate.rate)) };
          this.notes.add('regional_minimum', other.id, { ...values, region: other.name.es || '' },
            { ...values, region: other.name.en || '' });
        }
      }
    }
    if (best[1] === null) this.notes.add('no_minimum_wage', isoOf(day), { date: isoOf(day) });
    return best;
  }

  // The state's region the job says the work is in (job.region), if it names one.
  region() {
    if (this.state === null || this.job.region == null) return null;
    return (this.state.regional_minimum_wage || []).find((r) => r.id === this.job.region) || null;
  }

  aewr(day) {
    if (this.job.status !== 'h2a') return null;
    const change = this.aewrMethodChange(day);
    const start = this.job.contract_start;
    // A job order filed from the change uses the new method; the contract start is the
    // only date the log has, so an unknown start may be either.
    const newMethod = change !== null && (start == null || dayNum(start) >= dayNum(change.effective));
    if (newMethod) {
      const skill = this.skillAewr(day);
      if (skill !== null) return skill;
    }
    for (const j of [this.state, this.fed]) {
      if (j === null) continue;
      const rate = rateInForce(j.aewr, day);
      // An AEWR is set for a year: an older one is not guessed forward.
      if (rate !== null && day - dayNum(rate.effective) <= AEWR_VALID_DAYS) {
        if (change !== null && newMethod && dayNum(rate.effective) < dayNum(change.effective)) {
          // The job order may use the new method: the old figure is no floor.
          if (!this.aewrNewMethod.has(day)) this.aewrNewMethod.set(day, [rate, change]);
          return null;
        }
        const cents = dollarsToCents(rate.rate);
        return { cents, source: dataSrc(rate), level: null, rateCents: cents, housingCents: null };
      }
    }
    // Never a silent fall-back to the minimum wage: jobFindings() says so plainly.
    this.aewrMissing.add(day);
    return null;
  }

  // The 2025-method AEWR for the job order's skill level, less the housing adjustment (H-2A
  // workers only, which this job is). With no level entered, the lower level: that much is
  // owed either way, and a note asks for the level.
  skillAewr(day) {
    if (this.state === null) return null;
    const latest = new Map();
    for (const entry of this.state.aewr_skill || []) {
      const eff = dayNum(entry.effective);
      if (eff > day || day - eff > AEWR_VALID_DAYS) continue;
      if (!latest.has(entry.level) || eff >= dayNum(latest.get(entry.level).effective)) latest.set(entry.level, entry);
    }
    let options = [latest.get(1), latest.get(2)].filter(Boolean).map(skillFigure);
    if (this.job.skill_level != null) options = options.filter((o) => o.level === this.job.skill_level);
    if (!options.length) return null;
    let pick = options[0];
    for (const o of options.slice(1)) if (o.cents < pick.cents || (o.cents === pick.cents && o.level < pick.level)) pick = o;
    if (this.job.skill_level == null) this.notes.add('skill_level_unknown', '', { level: roman(pick.level) });
    if (pick.housingCents === null) this.notes.add('housing_adjustment_unknown', '');
    return pick;
  }

  floors(day) {
    const [minWage, minRate, where] = this.minimum(day);
    if (where === 'federal') this.federalMinimumUsed = true;
    const aewr = this.aewr(day);
    const aewrCents = aewr ? aewr.cents : 0;
    let legal = Math.max(minWage, aewrCents);
    let source = aewr !== null && aewrCents > minWage ? aewr.source : (minRate !== null ? dataSrc(minRate) : null);
    const orderRate = this.job.status === 'h2a' ? this.job.job_order_rate_cents : null;
    if (orderRate != null && orderRate > legal) {
      // 20 CFR 655.120(a), 655.122(l): the rate the job order offers is owed, if higher.
      legal = orderRate;
      source = src(SRC_H2A_WAGE);
    }
    let floor = legal;
    if (this.job.pay_type === 'hourly' && this.job.promised_rate_cents != null) {
      floor = Math.max(floor, this.job.promised_rate_cents);
    }
    return [floor, legal, minWage, source];
  }

  steps(day) {
    const out = [];
    for (const [where, j] of [[this.job.state, this.state], ['federal', this.fed]]) {
      if (j === null) continue;
      const [steps, sizeMattered] = stepsInForce(overtimeSteps(j, this.job.industry), day, this.job.employer_size);
      if (sizeMattered) this.notes.add('employer_size_unknown', '');
      if (!steps.length) out.push([where, null]);
      for (const s of steps) out.push([where, s]);
    }
    return out;
  }

  collect() {
    if (this.collected) return;
    this.collected = true;
    // Impossible shifts (same start and end, over 24 h, future) are left out and shared
    // minutes of overlapping ones count once, with findings (log/shifts.js).
    const sane = forWageCheck(this.records.shifts || [], this.job.id, isoOf(this.asOf));
    this.findings = sane.findings;
    for (const shift of this.records.shifts || []) {
      if (shift.job_id !== this.job.id || sane.skip.has(shift.id)) continue;
      const parts = splitShift(shift);
      if (parts.some(([, m]) => m < 0) || sumInts(parts.map(([, m]) => m)) <= 0) {
        this.notes.add('shift_invalid', shift.id, { date: shift.date });
        continue;
      }
      for (const [d, m] of sane.trimmed.get(shift.id) || parts) this.day(d).minutes += m;
      const first = this.day(parts[0][0]);
      first.units += shift.piece_units || 0;
      first.starts += 1;
    }
    for (const [d, info] of this.days) {
      [info.floor, info.minimum, info.minWage, info.floorSrc] = this.floors(d);
    }
  }

  sortedDays() { return [...this.days.keys()].sort((a, b) => a - b); }

  weeks() {
    const startIndex = WEEKDAYS.indexOf(this.job.workweek_start);
    const byWeek = new Map();
    for (const d of this.sortedDays()) {
      const ws = weekStartOf(d, startIndex);
      if (!byWeek.has(ws)) byWeek.set(ws, []);
      byWeek.get(ws).push(d);
    }
    const out = [];
    for (const ws of [...byWeek.keys()].sort((a, b) => a - b)) {
      const r = this.week(ws, byWeek.get(ws));
      if (r !== null) out.push(r);
    }
    return out;
  }

  week(weekStart, dates) {
    const job = this.job;
    const days = dates.map((d) => [d, this.days.get(d).minutes]);
    const total = sumInts(days.map(([, m]) => m));
    if (total <= 0) return null;
    const rules = [];
    const firstDay = days.find(([, m]) => m > 0)[0];
    const [minCents, minRate, where] = this.minimum(firstDay);
    const region = this.region();
    if (region !== null && minRate !== null && region.rates.includes(minRate)) {
      const values = { rate: money(minCents) };
      rules.push({ code: 'regional_minimum_wage',
        explanation: text('regional_minimum_wage', { ...values, region: region.name.es || '' }, { ...values, region: region.name.en || '' }),
        source: dataSrc(minRate) });
    } else if (minRate !== null) {
      rules.push({ code: 'minimum_wage',
        explanation: text('minimum_wage', { date: isoOf(firstDay), rate: money(minCents), where }),
        source: dataSrc(minRate) });
    }
    const aewr = this.aewr(firstDay);
    if (aewr !== null) {
      let values = { state: job.state, date: isoOf(firstDay), rate: money(aewr.cents) };
      let code = 'aewr';
      if (aewr.level !== null) {
        code = aewr.housingCents === null ? 'aewr_skill' : 'aewr_skill_housing';
        values = { ...values, level: roman(aewr.level), full: money(aewr.rateCents), housing: money(aewr.housingCents || 0) };
      }
      rules.push({ code, explanation: text(code, values), source: aewr.source });
    }
    if (job.status === 'h2a' && job.job_order_rate_cents != null) {
      rules.push({ code: 'job_order_rate',
        explanation: text('job_order_rate', { rate: money(job.job_order_rate_cents) }),
        source: src(SRC_H2A_WAGE) });
    }
    const info0 = this.days.get(firstDay);
    if (job.pay_type === 'hourly' && info0.floor > info0.minimum) {
      rules.push({ code: 'promised_rate', explanation: text('promised_rate', { rate: money(info0.floor) }), source: null });
    }
    let legalTotal = ZERO;
    for (const [d, m] of days) {
      const info = this.days.get(d);
      info.legalStraight = new Frac(m * info.minimum, 60);
      legalTotal = legalTotal.add(info.legalStraight);
    }
    const salaryRule = job.pay_type === 'salary' && this.state !== null ? this.state.salary_regular_rate || null : null;
    if (job.pay_type === 'hourly') {
      for (const [d, m] of days) this.days.get(d).straight = new Frac(m * this.days.get(d).floor, 60);
    } else if (salaryRule !== null) {
      // A salary under a state rule like CA Labor Code 515(d): worked out below, once the
      // overtime hours are known (the salary pays only the non-overtime hours).
      if (job.promised_rate_cents == null) this.notes.add('no_piece_rate', '');
    } else {
      let rate = job.promised_rate_cents;
      if (rate == null) {
        this.notes.add('no_piece_rate', '');
        rate = 0;
      }
      const pay = new Map();
      for (const [d, m] of days) {
        const info = this.days.get(d);
        if (job.pay_type === 'piece') pay.set(d, new Frac(big(info.units) * big(rate)));
        else if (job.pay_type === 'day') pay.set(d, new Frac(info.starts > 0 ? rate : 0));
        else pay.set(d, new Frac(big(rate) * big(m), total));
      }
      const earned = fsum([...pay.values()]);
      // H-2A: the AEWR is made up per pay period, not per week (20 CFR 655.122(l); see
      // periods()). The week itself is made up only to the minimum wage (FLSA workweek).
      const perPeriod = job.status === 'h2a';
      const weekFloor = new Map(days.map(([d, m]) => [d, perPeriod
        ? new Frac(m * this.days.get(d).minWage, 60) : this.days.get(d).legalStraight]));
      const floorTotal = fsum([...weekFloor.values()]);
      for (const [d] of days) this.days.get(d).piecePay = pay.get(d);
      if (earned.cmp(floorTotal) >= 0) {
        for (const [d] of days) this.days.get(d).straight = pay.get(d);
      } else {
        for (const [d] of days) this.days.get(d).straight = weekFloor.get(d);
        rules.push({ code: 'piece_makeup',
          explanation: text('piece_makeup', { piece: money(roundCents(earned)), floor: money(roundCents(floorTotal)) }),
          source: minRate ? dataSrc(minRate) : null });
      }
    }
    let straightTotal = fsum(days.map(([d]) => this.days.get(d).straight));
    // Overtime counts every hour worked for the employer that week (29 CFR 778.103): the days
    // of its other logged jobs with the same workweek are added in, and this job keeps its
    // share of the overtime (see employerDays).
    const [combined, perJob, me] = this.employerDays(weekStart, days);
    const others = sumInts(combined.map(([, m]) => m)) - total;
    const peerPay = this.peers.filter((c) => c.weekPay.has(weekStart)).map((c) => c.weekPay.get(weekStart));
    // The premium is half the regular rate per overtime minute; with the employer's other jobs
    // in the week, that rate is the weighted average of all of them (29 CFR 778.115).
    const [regRate, legalRate] = regularRates(straightTotal, legalTotal, total, peerPay);
    if (others > 0) {
      rules.push({ code: 'employer_hours_combined',
        explanation: text('employer_hours_combined', { hours: duration(others) }),
        source: src(SRC_ONE_EMPLOYER_WEEK) });
    }
    // The rule (state or federal) giving more weighted overtime minutes wins.
    const fullWeek = combined.length === 7;
    let best = null;
    let bestKey = [-1, -1];
    for (const [whereOt, step] of this.steps(weekStart)) {
      const [otAll, dblAll] = otMinutes(step, combined, fullWeek);
      const [ot, dbl] = ownShare(days, combined, perJob, me, otAll, dblAll);
      const key = [sumInts(ot) + 2 * sumInts(dbl), step === null ? 0 : 1];
      if (tupleCmp(key, bestKey) > 0) {
        bestKey = key;
        best = [whereOt, step, ot, dbl];
      }
    }
    let ot;
    let dbl;
    let otSrc = null;
    if (best === null) {
      this.reportNotes.add('no_overtime_rules', '');
      ot = new Array(days.length).fill(0);
      dbl = new Array(days.length).fill(0);
    } else {
      const [whereOt, step] = best;
      [, , ot, dbl] = best;
      otSrc = step !== null ? dataSrc(step) : null;
      if (step !== null && (step.weekly_after != null || step.daily_after != null
          || step.daily_double_after != null || step.seventh_day)) {
        const [esRule, enRule] = otRuleText(step);
        rules.push({ code: 'overtime',
          explanation: text('overtime', { where: whereOt, rule: esRule }, { where: whereOt, rule: enRule }),
          source: dataSrc(step) });
      } else {
        rules.push({ code: 'overtime_none', explanation: text('overtime_none', { where: whereOt }),
          source: step !== null ? dataSrc(step) : null });
      }
    }
    if (salaryRule === null && job.pay_type !== 'hourly' && sumInts(ot) + sumInts(dbl) > 0) {
      rules.push({ code: 'regular_rate',
        explanation: text('regular_rate', { rate: money(roundCents(regRate.mul(60))) }),
        source: null });
      // Half-time overtime on a salary is the fluctuating-workweek method, which needs an
      // agreement the log does not record (29 CFR 778.114).
      if (job.pay_type === 'salary') this.notes.add('salary_half_time', '');
    }
    let expected = ZERO;
    let legal = ZERO;
    let regularPerHour = regRate.mul(60);
    if (salaryRule !== null) {
      regularPerHour = this.salaryWeek(days, ot, dbl, salaryRule, rules);
      straightTotal = fsum(days.map(([d]) => this.days.get(d).straight));
    }
    this.weekPay.set(weekStart, [straightTotal, legalTotal, total]);
    days.forEach(([d], i) => {
      const info = this.days.get(d);
      const weight = ot[i] + 2 * dbl[i];
      if (salaryRule !== null) {
        info.otWeight = weight;
        info.otSrc = weight > 0 ? otSrc : null;
        info.legal = info.legalStraight.add(legalRate.mul(weight).div(2));
        expected = expected.add(info.expected);
        legal = legal.add(info.legal);
        return;
      }
      info.otWeight = weight;
      info.otSrc = weight > 0 ? otSrc : null;
      info.regMinutes = days[i][1] - ot[i] - dbl[i];
      // Overtime hours at the regular rate plus the premium: what deductions may not cut.
      info.otPay = straightTotal.mul(ot[i] + dbl[i]).div(total).add(regRate.mul(weight).div(2));
      info.expected = info.straight.add(regRate.mul(weight).div(2));
      info.legal = info.legalStraight.add(legalRate.mul(weight).div(2));
      expected = expected.add(info.expected);
      legal = legal.add(info.legal);
    });
    const weekEnd = weekStart + 6;
    const paid = this.weekPaid(weekStart, weekEnd, days.filter(([, m]) => m > 0).map(([d]) => d));
    const expectedCents = roundCents(expected);
    return {
      job_id: job.id,
      start: isoOf(weekStart),
      end: isoOf(weekEnd),
      days_worked: days.filter(([, m]) => m > 0).length,
      minutes_worked: total,
      straight_minutes: total - sumInts(ot) - sumInts(dbl),
      overtime_minutes: sumInts(ot),
      double_time_minutes: sumInts(dbl),
      floor_rate_cents: Math.max(...days.map(([d]) => this.days.get(d).floor)),
      regular_rate_cents: roundCents(regularPerHour),
      expected_cents: expectedCents,
      legal_expected_cents: roundCents(legal),
      paid_cents: paid,
      difference_cents: paid === null ? null : expectedCents - paid,
      rules,
    };
  }

  // Expected pay for a salary where the state fixes the regular rate (CA: salary / 40). The
  // salary pays the non-overtime hours (made up to the minimum wage for them if it is less);
  // each overtime hour is paid on top at 1.5 x the regular rate, each double-time hour at 2 x.
  // The week's worked dates for the employer (this job and its peers), in date order:
  // [date, minutes of all those jobs], each job's minutes on it (in log order), and this job's
  // place in that order. Alone, it is this job's own worked days.
  employerDays(weekStart, days) {
    const group = [...this.peers, this].sort((a, b) => a.position - b.position);
    const me = group.indexOf(this);
    const own = new Map(days);
    const combined = [];
    const perJob = [];
    for (let i = 0; i < 7; i += 1) {
      const day = weekStart + i;
      const minutes = group.map((c) => (c === this ? (own.get(day) || 0) : (c.days.has(day) ? c.days.get(day).minutes : 0)));
      const sum = sumInts(minutes);
      if (sum > 0) {
        combined.push([day, sum]);
        perJob.push(minutes);
      }
    }
    return [combined, perJob, me];
  }

  salaryWeek(days, ot, dbl, rule, rules) {
    const salary = new Frac(this.job.promised_rate_cents || 0);
    const minimumPerMinute = days.map(([d]) => new Frac(this.days.get(d).minimum, 60)).reduce((a, b) => fmax(a, b));
    const perMinute = fmax(salary.div(hoursToMinutes(rule.hours)), minimumPerMinute);
    const reg = days.map(([, m], i) => m - ot[i] - dbl[i]);
    const regTotal = sumInts(reg);
    const straightTotal = fmax(salary, fsum(days.map(([d], i) => new Frac(reg[i] * this.days.get(d).minimum, 60))));
    const total = sumInts(days.map(([, m]) => m));
    days.forEach(([d, m], i) => {
      const info = this.days.get(d);
      const share = regTotal ? new Frac(reg[i], regTotal) : new Frac(m, total);
      info.straight = straightTotal.mul(share);
      info.regMinutes = reg[i];
      info.otPay = perMinute.mul(new Frac(3n * big(ot[i]), 2n).add(2 * dbl[i]));
      info.expected = info.straight.add(info.otPay);
    });
    rules.push({ code: 'salary_regular_rate',
      explanation: text('salary_regular_rate', { where: this.job.state, salary: money(roundCents(salary)),
        hours: duration(hoursToMinutes(rule.hours)), rate: money(roundCents(perMinute.mul(60))) }),
      source: { title: rule.source.title, url: rule.source.url } });
    return perMinute.mul(60);
  }

  stubs() {
    return (this.records.pay_stubs || []).filter((s) => s.job_id === this.job.id)
      .sort((a, b) => tupleCmp([a.period_start, a.pay_date, a.id], [b.period_start, b.pay_date, b.id]));
  }

  weekPaid(start, end, worked) {
    const inside = this.stubs().filter((s) => dayNum(s.period_start) >= start && dayNum(s.period_end) <= end);
    if (!inside.length) return null;
    for (const d of worked) {
      if (!inside.some((s) => dayNum(s.period_start) <= d && d <= dayNum(s.period_end))) return null;
    }
    return sumInts(inside.map((s) => s.gross_cents));
  }

  payInterval() {
    const options = [];
    if (PROGRAM_PAY_DAYS[this.job.status]) {
      const [days, s] = PROGRAM_PAY_DAYS[this.job.status];
      options.push([days, 0, src(s)]);
    }
    if (this.state !== null && this.state.pay_frequency_days_max != null) {
      const f = this.state.pay_frequency_source;
      options.push([this.state.pay_frequency_days_max, 1, f ? { title: f.title, url: f.url } : null]);
    }
    if (this.job.pay_frequency != null) options.push([FREQUENCY_DAYS[this.job.pay_frequency], 2, null]);
    if (!options.length) return [null, null];
    options.sort((a, b) => tupleCmp([a[0], a[1]], [b[0], b[1]]));
    return [options[0][0], options[0][2]];
  }

  // H-2A pay that is not hourly: what brings the pay period up to the AEWR for its hours
  // (20 CFR 655.122(l)); the weeks were already made up to the minimum wage.
  periodTopup(days) {
    if (this.job.status !== 'h2a' || this.job.pay_type === 'hourly') return ZERO;
    const floor = fsum(days.map((d) => new Frac(this.days.get(d).minutes * this.days.get(d).minimum, 60)));
    const paid = fsum(days.map((d) => this.days.get(d).straight));
    const topup = fmax(ZERO, floor.sub(paid));
    if (topup.cmp(0) > 0) this.notes.add('h2a_period_topup', '');
    return topup;
  }

  periods() {
    const job = this.job;
    const results = [];
    const covered = new Set();
    for (const stub of this.stubs()) {
      const start = dayNum(stub.period_start);
      const end = dayNum(stub.period_end);
      const days = [];
      for (let d = start; d <= end; d += 1) {
        if (this.days.has(d) && !covered.has(d)) days.push(d);
      }
      days.forEach((d) => covered.add(d));
      const expected = fsum(days.map((d) => this.days.get(d).expected)).add(this.periodTopup(days));
      const legal = fsum(days.map((d) => this.days.get(d).legal));
      // What employer-benefit deductions must leave: the minimum wage for straight-time hours
      // plus full overtime pay (29 CFR 531.35, and 531.37 in overtime weeks).
      const minimumPay = fsum(days.map((d) => {
        const info = this.days.get(d);
        return new Frac(info.regMinutes * info.minWage, 60).add(info.otPay);
      }));
      const expectedCents = roundCents(expected);
      const legalCents = roundCents(legal);
      const findings = this.periodFindings(stub, expectedCents, legalCents, minimumPay, days);
      results.push({
        job_id: job.id,
        pay_stub_id: stub.id,
        start: stub.period_start,
        end: stub.period_end,
        pay_date: stub.pay_date,
        minutes_worked: sumInts(days.map((d) => this.days.get(d).minutes)),
        minutes_paid: stub.minutes_paid ?? null,
        expected_cents: expectedCents,
        legal_expected_cents: legalCents,
        paid_cents: stub.gross_cents,
        deductions_cents: sumInts((stub.deductions || []).map((x) => x.amount_cents)),
        net_cents: stub.net_cents ?? null,
        difference_cents: expectedCents - stub.gross_cents,
        findings,
      });
    }
    const [interval] = this.payInterval();
    const startIndex = WEEKDAYS.indexOf(job.workweek_start);
    const loose = new Map();
    for (const d of this.sortedDays()) {
      if (!covered.has(d) && this.days.get(d).minutes > 0) {
        const ws = weekStartOf(d, startIndex);
        if (!loose.has(ws)) loose.set(ws, []);
        loose.get(ws).push(d);
      }
    }
    for (const ws of [...loose.keys()].sort((a, b) => a - b)) {
      const days = loose.get(ws);
      const weekEnd = ws + 6;
      const expectedCents = roundCents(fsum(days.map((d) => this.days.get(d).expected)).add(this.periodTopup(days)));
      const legal = fsum(days.map((d) => this.days.get(d).legal));
      const findings = [];
      if (this.asOf > weekEnd + (interval || 0) && expectedCents > 0) {
        const minRate = this.minimum(days[0])[1];
        findings.push({ code: 'no_pay_recorded', amount_cents: expectedCents,
          explanation: text('no_pay_recorded', { start: isoOf(days[0]), end: isoOf(days[days.length - 1]), amount: money(expectedCents) }),
          source: minRate ? dataSrc(minRate) : null });
      }
      results.push({
        job_id: job.id, pay_stub_id: null, start: isoOf(days[0]), end: isoOf(days[days.length - 1]),
        pay_date: null, minutes_worked: sumInts(days.map((d) => this.days.get(d).minutes)), minutes_paid: null,
        expected_cents: expectedCents, legal_expected_cents: roundCents(legal), paid_cents: 0,
        deductions_cents: 0, net_cents: null, difference_cents: expectedCents, findings,
      });
    }
    results.sort((a, b) => tupleCmp([a.start, a.end, a.pay_stub_id || '~'], [b.start, b.end, b.pay_stub_id || '~']));
    return results;
  }

  periodFindings(stub, expected, legal, minimumPay, days) {
    const job = this.job;
    const out = [];
    const gross = stub.gross_cents;
    const owed = Math.max(0, expected - gross);
    if (owed > 0) {
      const withOt = days.map((d) => this.days.get(d).otSrc).filter((s) => s !== null);
      let source;
      if (withOt.length) source = withOt[0];
      else if (gross < legal && days.length) source = this.days.get(days[0]).floorSrc;
      else source = src(job.status === 'h2a' ? SRC_H2A_CONTRACT : job.status === 'h2b' ? SRC_H2B : null);
      out.push({ code: 'underpaid', amount_cents: owed,
        explanation: text('underpaid', { expected: money(expected), paid: money(gross), amount: money(owed), legal: money(legal) }),
        source });
    }
    const forbidden = FORBIDDEN_DEDUCTIONS[job.status] || {};
    let benefit = 0;
    const benefitKinds = [];
    for (const ded of stub.deductions || []) {
      if (ded.kind in forbidden && ded.amount_cents > 0) {
        const [esKind, enKind] = LABELS[ded.kind];
        const prog = program(job.status);
        out.push({ code: 'deduction_not_allowed', amount_cents: ded.amount_cents,
          explanation: text('deduction_not_allowed',
            { amount: money(ded.amount_cents), kind: esKind, program: prog },
            { amount: money(ded.amount_cents), kind: enKind, program: prog }),
          source: src(forbidden[ded.kind]) });
      } else if (EMPLOYER_BENEFIT_DEDUCTIONS.includes(ded.kind) && ded.amount_cents > 0) {
        benefit += ded.amount_cents;
        if (!benefitKinds.includes(ded.kind)) benefitKinds.push(ded.kind);
      }
    }
    if (benefit > 0) {
      const cut = fmin(new Frac(benefit), fmax(ZERO, minimumPay.sub(gross - benefit)));
      const cutCents = roundCents(cut);
      const overtime = days.some((d) => this.days.get(d).otWeight > 0);
      if (cutCents > 0) {
        const code = overtime ? 'deduction_overtime_week' : 'deduction_below_minimum';
        const common = { deducted: money(benefit), minimum: money(roundCents(minimumPay)), amount: money(cutCents) };
        out.push({ code, amount_cents: cutCents,
          explanation: text(code,
            { kinds: benefitKinds.map((k) => LABELS[k][0]).join(', '), ...common },
            { kinds: benefitKinds.map((k) => LABELS[k][1]).join(', '), ...common }),
          source: src(overtime ? SRC_OT_DEDUCTIONS : SRC_FREE_AND_CLEAR) });
      }
    }
    if (job.status === 'h2a' || job.status === 'h2b') {
      const s = src(job.status === 'h2a' ? SRC_H2A_CONTRACT : SRC_H2B);
      if (stub.statement_given === false) {
        out.push({ code: 'no_pay_statement', amount_cents: null,
          explanation: text('no_pay_statement', { program: program(job.status) }), source: s });
      } else if (stub.statement_items != null) {
        const required = [...STATEMENT_ITEMS];
        if (job.pay_type === 'piece') required.push('piece_units');
        const missing = required.filter((item) => !stub.statement_items.includes(item));
        if (missing.length) {
          out.push({ code: 'statement_missing_items', amount_cents: null,
            explanation: text('statement_missing_items',
              { items: missing.map((i) => LABELS[i][0]).join(', ') },
              { items: missing.map((i) => LABELS[i][1]).join(', ') }),
            source: s });
        }
      }
    } else {
      this.reportNotes.add('statement_rules_state', '');
    }
    return out;
  }

  jobFindings() {
    const out = [];
    if (this.job.status === 'h2a' || this.job.status === 'h2b') {
      out.push(...this.threeFourths());
      out.push(...this.reimbursements());
    }
    out.push(...this.payFrequency());
    // Last, because the checks above look up the AEWR too; shown first.
    if (this.job.status === 'h2a') out.unshift(...this.aewrMissingFindings());
    return out;
  }

  // No AEWR in the data for some H-2A work: a note if the job-order rate was entered, else a
  // finding that asks for it (the minimum wage is not the H-2A floor).
  aewrMissingFindings() {
    const job = this.job;
    const out = this.aewrNewMethodFindings();
    if (!this.aewrMissing.size) return out;
    const worked = [...this.aewrMissing].filter((d) => this.days.has(d) && this.days.get(d).minutes)
      .sort((a, b) => a - b);
    if (this.rateEntered() || !worked.length) {
      const years = [...new Set([...this.aewrMissing].map(yearOf))].sort((a, b) => a - b);
      for (const year of years) this.notes.add('no_aewr', `${year}`, { state: job.state, year: String(year) });
      return out;
    }
    const minimum = Math.max(...worked.map((d) => this.days.get(d).minimum));
    return [...out, { code: 'aewr_missing', amount_cents: null,
      explanation: text('aewr_missing', { state: job.state, start: isoOf(worked[0]),
        end: isoOf(worked[worked.length - 1]), rate: money(minimum) }),
      source: src(SRC_H2A_WAGE) }];
  }

  // The worker entered an hourly rate from the job order (or an hourly promise).
  rateEntered() {
    const job = this.job;
    return job.job_order_rate_cents != null || (job.pay_type === 'hourly' && job.promised_rate_cents != null);
  }

  // Work a new-method job order may cover: the older AEWR was not used (see aewr()).
  aewrNewMethodFindings() {
    const job = this.job;
    const worked = [...this.aewrNewMethod.keys()].filter((d) => this.days.has(d) && this.days.get(d).minutes)
      .sort((a, b) => a - b);
    if (!worked.length) return [];
    const [rate, change] = this.aewrNewMethod.get(worked[0]);
    const values = { date: change.effective, rate: money(dollarsToCents(rate.rate)),
      start: isoOf(worked[0]), end: isoOf(worked[worked.length - 1]) };
    if (this.rateEntered()) {
      this.notes.add('aewr_new_method', '', values);
      return [];
    }
    return [{ code: 'aewr_new_method', amount_cents: null, explanation: text('aewr_new_method', values),
      source: { title: change.source.title, url: change.source.url } }];
  }

  // Domestic work: the log does not say whether the worker lives in; name that rule.
  liveInNote() {
    if (this.job.industry !== 'domestic') return;
    const day = this.days.size ? Math.min(...this.days.keys()) : this.asOf;
    let es = [];
    let en = [];
    for (const [where, j] of [['federal', this.fed], [this.job.state, this.state]]) {
      if (j === null) continue;
      const [steps] = stepsInForce((j.overtime || {}).domestic_live_in || [], day, this.job.employer_size);
      for (const step of steps.slice(-1)) {
        const [ruleEs, ruleEn] = otRuleText(step);
        es.push(`${where}: ${ruleEs || 'sin horas extra'}`);
        en.push(`${where}: ${ruleEn || 'no overtime'}`);
      }
    }
    if (!es.length) { es = ['no está en los datos']; en = ['not in the data']; }
    this.notes.add('live_in_domestic', '', { rules: es.join('; ') }, { rules: en.join('; ') });
  }

  threeFourths() {
    const job = this.job;
    if (!(job.contract_start && job.contract_end && job.job_order_hours_per_week)) {
      this.notes.add('three_fourths_unknown', '');
      return [];
    }
    const cs = dayNum(job.contract_start);
    const ce = dayNum(job.contract_end);
    if (ce < cs) {
      this.notes.add('three_fourths_unknown', '');
      return [];
    }
    const spans = [];
    if (job.status === 'h2a') spans.push([cs, ce]);
    else {
      const length = ce - cs + 1;
      const weeks = length < H2B_SHORT_JOB_DAYS ? H2B_GUARANTEE_SHORT_WEEKS : H2B_GUARANTEE_WEEKS;
      let start = cs;
      while (start <= ce) {
        const end = Math.min(ce, start + 7 * weeks - 1);
        spans.push([start, end]);
        start = end + 1;
      }
    }
    const s = src(job.status === 'h2a' ? SRC_H2A_CONTRACT : SRC_H2B);
    const out = [];
    for (const [start, end] of spans) {
      if (end >= this.asOf) continue;
      const length = end - start + 1;
      const guaranteed = THREE_FOURTHS.mul(job.job_order_hours_per_week * 60 * length).div(7);
      let worked = 0;
      for (const [d, info] of this.days) if (start <= d && d <= end) worked += info.minutes;
      const short = guaranteed.sub(worked);
      if (short.cmp(0) <= 0) continue;
      let perMinute = new Frac(this.floors(end)[0], 60);
      if (job.pay_type === 'piece' && worked > 0) {
        // 655.122(i): the higher of average hourly piece earnings and the hourly rate.
        let piece = ZERO;
        for (const [d, info] of this.days) if (start <= d && d <= end) piece = piece.add(info.piecePay);
        perMinute = fmax(perMinute, piece.div(worked));
      }
      const amount = roundCents(short.mul(perMinute));
      if (amount <= 0) continue;
      out.push({ code: 'three_fourths_shortfall', amount_cents: amount,
        explanation: text('three_fourths_shortfall', { start: isoOf(start), end: isoOf(end),
          guaranteed: duration(roundCents(guaranteed)), worked: duration(worked), amount: money(amount) }),
        source: s });
    }
    return out;
  }

  expenses(kinds) {
    return (this.records.expenses || []).filter((e) => e.job_id === this.job.id && kinds.includes(e.kind));
  }

  static unpaid(expenses) {
    return Math.max(0, sumInts(expenses.map((e) => e.amount_cents - (e.reimbursed_cents || 0))));
  }

  // FLSA, first workweek: inbound travel and visa costs the worker paid are the employer's, and
  // the amount by which they bring that week's pay below the federal minimum wage is owed in
  // that week (29 CFR 531.35; Arriaga v. Florida Pacific Farms; H-2B: WHD FAB 2009-2, 20 CFR
  // 655.20(j)). H-2B visa fees are owed in full that week anyway, so for H-2B only travel
  // counts here. Returns [finding or null, {visa, travel}: the part of it from each cost].
  // An empty object means the first week could not be worked out.
  firstWeekReimbursement() {
    const job = this.job;
    const worked = this.sortedDays().filter((d) => this.days.get(d).minutes > 0);
    if (!worked.length || this.fed === null) return [null, {}];
    const start = weekStartOf(worked[0], WEEKDAYS.indexOf(job.workweek_start));
    const end = start + 6;
    const week = this.weekResults.find((w) => w.start === isoOf(start)) || null;
    const fedMin = rateInForce(this.fed.minimum_wage, worked[0]);
    if (this.asOf <= end || week === null || fedMin === null) return [null, {}];
    const kinds = [...(job.status === 'h2a' ? ['visa'] : []), 'travel'];
    const costs = {};
    for (const kind of kinds) {
      const names = kind === 'travel' ? ['travel', 'subsistence'] : ['visa'];
      costs[kind] = JobCheck.unpaid(this.expenses(names).filter((e) => dayNum(e.date) <= end));
    }
    const totalCosts = sumInts(kinds.map((k) => costs[k]));
    const pay = Math.max(week.expected_cents, week.paid_cents || 0);
    const minimum = roundCents(new Frac(week.minutes_worked * dollarsToCents(fedMin.rate), 60));
    const amount = Math.max(0, Math.min(totalCosts, minimum - (pay - totalCosts)));
    const owed = {};
    let left = amount;
    for (const kind of kinds) {
      owed[kind] = Math.min(left, costs[kind]);
      left -= owed[kind];
    }
    if (amount <= 0) return [null, owed];
    const values = { start: isoOf(start), end: isoOf(end), costs: money(totalCosts), pay: money(pay),
      minimum: money(minimum), amount: money(amount) };
    return [{ code: 'first_week_reimbursement', amount_cents: amount,
      explanation: text('first_week_reimbursement', values),
      source: src(job.status === 'h2a' ? SRC_FIRST_WEEK_H2A : SRC_FIRST_WEEK_H2B) }, owed];
  }

  reimbursements() {
    const job = this.job;
    const prog = program(job.status);
    const s = src(job.status === 'h2a' ? SRC_H2A_CONTRACT : SRC_H2B);
    const out = [];
    const [firstWeek, owedFirst] = this.firstWeekReimbursement();
    if (firstWeek !== null) out.push(firstWeek);
    // Inbound travel and subsistence: due once half the contract period has passed (less what
    // the first workweek already owed).
    if (job.contract_start && job.contract_end) {
      const cs = dayNum(job.contract_start);
      const ce = dayNum(job.contract_end);
      const half = cs + Math.floor((ce - cs + 1) / 2);
      const unpaid = JobCheck.unpaid(this.expenses(['travel', 'subsistence'])) - (owedFirst.travel || 0);
      if (this.asOf >= half && unpaid > 0) {
        out.push({ code: 'travel_not_reimbursed', amount_cents: unpaid,
          explanation: text('travel_not_reimbursed', { date: isoOf(half), amount: money(unpaid) }), source: s });
      }
    }
    const unpaidVisa = JobCheck.unpaid(this.expenses(['visa']));
    if (unpaidVisa > 0 && job.status === 'h2b') {
      const first = this.days.size ? Math.min(...this.days.keys())
        : (job.contract_start ? dayNum(job.contract_start) : null);
      if (first !== null) {
        const firstWeekEnd = weekStartOf(first, WEEKDAYS.indexOf(job.workweek_start)) + 6;
        if (this.asOf > firstWeekEnd) {
          out.push({ code: 'visa_fees_not_reimbursed', amount_cents: unpaidVisa,
            explanation: text('visa_fees_not_reimbursed', { date: isoOf(firstWeekEnd), amount: money(unpaidVisa) }),
            source: s });
        }
      }
    } else if (unpaidVisa > 0 && !('visa' in owedFirst)) {
      // The first workweek could not be worked out (no week logged or not over yet).
      out.push({ code: 'visa_fee_ask', amount_cents: null,
        explanation: text('visa_fee_ask', { amount: money(unpaidVisa) }), source: src(SRC_FREE_AND_CLEAR) });
    }
    const fees = JobCheck.unpaid(this.expenses(['recruitment_fee']));
    if (fees > 0) {
      out.push({ code: 'recruitment_fee', amount_cents: fees,
        explanation: text('recruitment_fee', { amount: money(fees), program: prog }),
        source: src(job.status === 'h2a' ? SRC_H2A_ASSURANCES : SRC_H2B) });
    }
    return out;
  }

  payFrequency() {
    const [interval, s] = this.payInterval();
    if (interval === null) return [];
    const out = [];
    const stubs = this.stubs();
    const payDates = [...new Set(stubs.map((x) => dayNum(x.pay_date)))].sort((a, b) => a - b);
    for (let i = 0; i + 1 < payDates.length; i += 1) {
      const gap = payDates[i + 1] - payDates[i];
      if (gap > interval) {
        out.push({ code: 'pay_late', amount_cents: null,
          explanation: text('pay_late', { days: String(gap), start: isoOf(payDates[i]), end: isoOf(payDates[i + 1]), max: String(interval) }),
          source: s });
      }
    }
    if (payDates.length) {
      const last = payDates[payDates.length - 1];
      const lastEnd = Math.max(...stubs.map((x) => dayNum(x.period_end)));
      const workedAfter = [...this.days].some(([d, info]) => d > lastEnd && info.minutes > 0);
      const gap = this.asOf - last;
      if (workedAfter && gap > interval) {
        out.push({ code: 'pay_overdue', amount_cents: null,
          explanation: text('pay_overdue', { start: isoOf(last), days: String(gap), max: String(interval) }),
          source: s });
      }
    }
    return out;
  }

  run() {
    if (this.state === null) this.notes.add('no_state_rules', '', { state: this.job.state });
    this.collect();
    this.liveInNote();
    // 29 U.S.C. 213(a)(6): small farms and local hand-harvest piece workers are outside the
    // federal minimum wage; the log cannot tell, so the check says it assumed not.
    if (this.federalMinimumUsed && this.job.industry === 'agriculture' && this.job.status !== 'h2a') {
      this.notes.add('farm_minimum_exemptions', '');
    }
    const weeks = this.weeks();
    this.weekResults = weeks;
    const periods = this.periods();
    const findings = [...this.findings, ...this.jobFindings()];
    const owed = sumInts(periods.flatMap((p) => p.findings.map((f) => f.amount_cents || 0)))
      + sumInts(findings.map((f) => f.amount_cents || 0));
    return {
      job_id: this.job.id,
      employer: this.employer ? this.employer.name : null,
      state: this.job.state,
      status: this.job.status,
      pay_type: this.job.pay_type,
      weeks,
      periods,
      findings,
      notes: this.notes.items,
      total_owed_cents: owed,
    };
  }
}

// Two jobs with one employer in overlapping weeks, over 40 h together: the FLSA counts a
// workweek's hours for one employer together (29 CFR 778.103); each job here is checked alone,
// so the report says overtime may be missing.
function sameEmployerWeeks(records, jobs, notes) {
  for (let a = 0; a < jobs.length; a += 1) {
    for (let b = a + 1; b < jobs.length; b += 1) {
      const ea = records[a].employer_id;
      if (ea !== records[b].employer_id) continue;
      if ((records[a].workweek_start || 'sunday') === (records[b].workweek_start || 'sunday')) continue;
      for (const wa of jobs[a].weeks) {
        for (const wb of jobs[b].weeks) {
          const overlap = wa.start <= wb.end && wb.start <= wa.end;
          if (overlap && wa.minutes_worked + wb.minutes_worked > 40 * 60) notes.add('same_employer_weeks', ea);
        }
      }
    }
  }
}

/**
 * Run the wage check over every job in `records` ({employers, jobs, shifts, pay_stubs,
 * expenses, incidents}) with `jurisdictions` (the pack's `wage_rules`), as of `asOf`
 * ("YYYY-MM-DD", usually today). Returns the same report as server/wages/check.py.
 */
export function checkWages(records, jurisdictions, asOf) {
  const juris = new Map((jurisdictions || []).map((j) => [j.id, j]));
  const employers = new Map((records.employers || []).map((e) => [e.id, e]));
  const notes = new Notes();
  const asOfDay = dayNum(asOf);
  const checks = (records.jobs || []).map((job) => new JobCheck(
    job, employers.get(job.employer_id) || null, records, juris, asOfDay, notes,
  ));
  checks.forEach((one, i) => {
    one.position = i;
    one.collect();
  });
  for (const one of checks) {
    one.peers = checks.filter((other) => other !== one && other.job.employer_id === one.job.employer_id
      && other.job.workweek_start === one.job.workweek_start);
  }
  for (const one of checks) if (one.peers.length) one.weeks(); // a first pass: each week's pay, for the peers' regular rate
  const jobs = checks.map((one) => one.run());
  sameEmployerWeeks(records.jobs || [], jobs, notes);
  return {
    format: 'cartilla-wage-check',
    format_version: 1,
    as_of: asOf,
    jobs,
    notes: notes.items,
    total_owed_cents: sumInts(jobs.map((j) => j.total_owed_cents)),
  };
}
