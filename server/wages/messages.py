"""Every sentence the wage check says, in Spanish and English, short and plain.

Templates use `{name}` placeholders only. The phone's copy is generated from these tables:
`pwa/i18n/<lang>/wages.json` (one file per language, so a phone downloads only its own), written
by `python -m server.wages.messages` and kept current by tests/test_wage_texts.py. A test runs
both implementations over the shared vectors and compares their whole output, text included.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import msgspec

from server.wages.report import Text

MESSAGES: dict[str, tuple[str, str]] = {
    # rules applied
    "minimum_wage": (
        "Salario mínimo en vigor el {date}: {rate} por hora ({where}).",
        "Minimum wage in force on {date}: {rate} an hour ({where}).",
    ),
    "regional_minimum_wage": (
        "Su trabajo es en {region}: el salario mínimo allí es {rate} por hora.",
        "Your work is in {region}: the minimum wage there is {rate} an hour.",
    ),
    "aewr": (
        "Tarifa AEWR de H-2A para {state} en vigor el {date}: {rate} por hora.",
        "H-2A AEWR for {state} in force on {date}: {rate} an hour.",
    ),
    "aewr_skill": (
        "Tarifa AEWR de H-2A para {state}, nivel {level}, en vigor el {date}: {rate} por hora.",
        "H-2A AEWR for {state}, level {level}, in force on {date}: {rate} an hour.",
    ),
    "aewr_skill_housing": (
        "Tarifa AEWR de H-2A para {state}, nivel {level}, en vigor el {date}: {full} por "
        "hora menos {housing} por vivienda (solo H-2A) = {rate}.",
        "H-2A AEWR for {state}, level {level}, in force on {date}: {full} an hour less "
        "{housing} for housing (H-2A only) = {rate}.",
    ),
    "job_order_rate": (
        "Tarifa de su oferta de trabajo (job order): {rate} por hora.",
        "Job-order rate: {rate} an hour.",
    ),
    "promised_rate": (
        "Tarifa prometida: {rate} por hora. Es la más alta, así que es la que cuenta.",
        "Promised rate: {rate} an hour. It is the highest, so it is the one that counts.",
    ),
    "overtime": (
        "Horas extra ({where}): {rule}.",
        "Overtime ({where}): {rule}.",
    ),
    "overtime_none": (
        "Según los datos, no hay pago de horas extra para este trabajo ({where}).",
        "Under the data, there is no overtime pay for this work ({where}).",
    ),
    "regular_rate": (
        "Su tarifa regular esta semana es lo ganado a tiempo normal entre las horas: {rate} por "
        "hora. Cada hora extra paga la mitad de esa tarifa además.",
        "Your regular rate this week is straight-time pay divided by hours: {rate} an hour. "
        "Each overtime hour pays half that rate on top.",
    ),
    "salary_regular_rate": (
        "Sueldo ({where}): {salary} por semana entre {hours} da una tarifa regular de {rate} por "
        "hora. El sueldo paga solo las horas normales; cada hora extra se paga aparte a 1.5 "
        "veces esa tarifa, y cada hora doble a 2 veces.",
        "Salary ({where}): {salary} a week divided by {hours} gives a regular rate of {rate} an "
        "hour. The salary pays only the regular hours; each overtime hour is paid on top at "
        "1.5 times that rate, and each double-time hour at 2 times.",
    ),
    "employer_hours_combined": (
        "Se sumaron {hours} de otros trabajos con el mismo empleador: las horas de la "
        "semana cuentan juntas para horas extra.",
        "{hours} from other jobs with the same employer were added: the week's hours count "
        "together for overtime.",
    ),
    "piece_makeup": (
        "Lo ganado por pieza o por día ({piece}) fue menos que el mínimo por sus horas ({floor}). "
        "El empleador debe completar la diferencia.",
        "Piece or day pay ({piece}) was less than the minimum for your hours ({floor}). "
        "The employer must make up the difference.",
    ),
    # findings
    "underpaid": (
        "Le correspondían {expected}: sus horas por la tarifa más alta que aplica, más las horas "
        "extra. Le pagaron {paid} (bruto). Faltan {amount}. Solo el mínimo de la ley era {legal}.",
        "You were due {expected}: your hours at the highest rate that applies, plus overtime. "
        "You were paid {paid} (gross). {amount} is missing. The legal minimum alone was {legal}.",
    ),
    "deduction_not_allowed": (
        "Le descontaron {amount} por {kind}. A trabajadores {program} no se les puede "
        "descontar eso.",
        "{amount} was taken out for {kind}. That cannot be taken out of {program} workers' pay.",
    ),
    "deduction_below_minimum": (
        "Los descuentos por {kinds} ({deducted}) bajaron su pago por debajo del salario mínimo "
        "de sus horas ({minimum}). Esa parte ({amount}) se le debe devolver.",
        "Deductions for {kinds} ({deducted}) brought your pay below the minimum wage for your "
        "hours ({minimum}). That part ({amount}) must be paid back.",
    ),
    "deduction_overtime_week": (
        "En una semana con horas extra, los descuentos por {kinds} ({deducted}) fueron más de "
        "lo permitido: después de ellos le debe quedar al menos el salario mínimo de sus horas "
        "normales más todo el pago de sus horas extra ({minimum}). Esa parte ({amount}) se le "
        "debe devolver.",
        "In a week with overtime, deductions for {kinds} ({deducted}) took more than allowed: "
        "after them you must keep at least the minimum wage for your straight-time hours plus "
        "all your overtime pay ({minimum}). That part ({amount}) must be paid back.",
    ),
    "no_pay_statement": (
        "No le dieron talón de pago con este pago. Los trabajadores {program} deben recibir uno "
        "cada vez.",
        "You got no pay statement with this payment. {program} workers must get one every time.",
    ),
    "statement_missing_items": (
        "Al talón de pago le falta: {items}.",
        "The pay statement is missing: {items}.",
    ),
    "no_pay_recorded": (
        "Registró trabajo del {start} al {end} pero ningún pago, y ya pasó la fecha de pago. "
        "Si le pagaron, registre el pago. Si no, le deben al menos {amount}.",
        "You logged work from {start} to {end} but no pay, and payday has passed. If you were "
        "paid, log the pay. If not, you are owed at least {amount}.",
    ),
    "pay_late": (
        "Pasaron {days} días entre pagos ({start} a {end}). El máximo es {max} días.",
        "{days} days passed between paydays ({start} to {end}). The most allowed is {max} days.",
    ),
    "pay_overdue": (
        "No hay pago registrado después del {start}. Ya pasaron {days} días (máximo {max}).",
        "No pay is logged after {start}. {days} days have passed (most allowed: {max}).",
    ),
    "three_fourths_shortfall": (
        "Garantía de tres cuartas partes: del {start} al {end} le debían ofrecer al menos "
        "{guaranteed} de trabajo. Registró {worked}. Por las horas que faltan le deben {amount}, "
        "salvo si usted dejó el trabajo o lo despidieron con causa.",
        "Three-fourths guarantee: from {start} to {end} you had to be offered at least "
        "{guaranteed} of work. You logged {worked}. For the missing hours you are owed {amount}, "
        "unless you quit or were fired for cause.",
    ),
    "travel_not_reimbursed": (
        "Ya pasó la mitad del contrato ({date}). El empleador debe devolverle el viaje y la "
        "comida del viaje de ida. Faltan {amount}.",
        "Half of the contract has passed ({date}). The employer must pay back your inbound "
        "travel and meals on the way. {amount} is missing.",
    ),
    "visa_fees_not_reimbursed": (
        "La visa y los gastos de frontera se deben pagar en la primera semana de trabajo "
        "(terminó el {date}). Faltan {amount}.",
        "Visa and border fees must be paid in the first workweek (it ended on {date}). "
        "{amount} is missing.",
    ),
    "recruitment_fee": (
        "Pagó {amount} de cuota de reclutamiento. A trabajadores {program} no se les puede "
        "cobrar. Se puede reclamar.",
        "You paid a recruitment fee of {amount}. {program} workers may not be charged one. "
        "It can be claimed.",
    ),
    "first_week_reimbursement": (
        "Primera semana ({start} a {end}): pagó {costs} de viaje o visa, gastos del "
        "empleador; su pago ({pay}) menos eso quedó bajo el mínimo federal por sus horas "
        "({minimum}). Le debían devolver {amount} esa semana.",
        "First workweek ({start} to {end}): you paid {costs} for travel or the visa, the "
        "employer's costs; your pay ({pay}) less that fell below the federal minimum for "
        "your hours ({minimum}). {amount} was owed back that week.",
    ),
    "visa_fee_ask": (
        "Pagó {amount} de visa. Si ese gasto dejó su pago de la primera semana por debajo del "
        "mínimo, el empleador debe devolver esa parte. Pregunte a la División de Horas y Salarios.",
        "You paid {amount} for the visa. If that cost left your first week's pay below the "
        "minimum wage, the employer must pay that part back. Ask the Wage and Hour Division.",
    ),
    # notes
    "no_state_rules": (
        "No hay datos de salario de {state}. Se usaron solo las reglas federales.",
        "There is no wage data for {state}. Only federal rules were used.",
    ),
    "no_minimum_wage": (
        "No hay salario mínimo en los datos para el {date}.",
        "There is no minimum wage in the data for {date}.",
    ),
    "aewr_missing": (
        "No hay AEWR de {state} en los datos para su trabajo del {start} al {end}; solo se "
        "pudo usar el salario mínimo ({rate}), y la tarifa H-2A casi siempre es más alta: "
        "le podrían deber más. Escriba en el trabajo la tarifa y el nivel de su oferta de "
        "trabajo (job order).",
        "There is no {state} AEWR in the data for your work from {start} to {end}; only the "
        "minimum wage ({rate}) could be used, and the H-2A rate is almost always higher: "
        "you could be owed more. Enter your job order's rate and level in the job.",
    ),
    "aewr_new_method": (
        "Ofertas de trabajo presentadas desde el {date}: la AEWR depende del nivel de "
        "habilidad (I o II) y baja por vivienda para H-2A. Los datos no la tienen, así que "
        "del {start} al {end} no se usó la AEWR anterior ({rate}). Escriba en el trabajo la "
        "tarifa y el nivel de su oferta de trabajo (job order).",
        "Job orders filed from {date}: the AEWR depends on the skill level (I or II) and is "
        "lowered for housing for H-2A. The data lacks it, so from {start} to {end} the "
        "older AEWR ({rate}) was not used. Enter your job order's rate and level in the "
        "job.",
    ),
    "skill_level_unknown": (
        "Falta el nivel de habilidad de su oferta de trabajo: se usó el más bajo ({level}). "
        "Si es otro, escríbalo: le podrían deber más.",
        "Your job order's skill level is missing: the lower one ({level}) was used. If it "
        "is another, enter it: you could be owed more.",
    ),
    "housing_adjustment_unknown": (
        "Los datos no tienen el ajuste por vivienda de esta AEWR: con vivienda gratis, la "
        "tarifa H-2A puede ser algo menor. Su oferta de trabajo la dice.",
        "The data lacks this AEWR's housing adjustment: with free housing the H-2A rate may "
        "be a little lower. Your job order says it.",
    ),
    "no_aewr": (
        "No hay tarifa AEWR de {state} para {year} en los datos. Donde faltó, se usó la tarifa "
        "de su oferta de trabajo (job order) si la escribió, y si no el salario mínimo; la AEWR "
        "podría ser más alta.",
        "There is no {state} AEWR for {year} in the data. Where it was missing, the rate you "
        "entered from your job order was used, or else the minimum wage; the AEWR could be "
        "higher.",
    ),
    "state_minimum_excludes_industry": (
        "El salario mínimo de {state} ({rate}) no cubre {industry}. Se usó el mínimo federal.",
        "{state}'s minimum wage ({rate}) does not cover {industry}. The federal minimum was used.",
    ),
    "state_minimum_small_employer": (
        "El salario mínimo de {state} ({rate}) cubre solo a empleadores con {size} empleados o "
        "más. Su empleador tiene menos, así que se usó el mínimo federal.",
        "{state}'s minimum wage ({rate}) covers only employers with {size} or more employees. "
        "Yours has fewer, so the federal minimum was used.",
    ),
    "state_minimum_size_unknown": (
        "El salario mínimo de {state} ({rate}) cubre solo a empleadores con {size} empleados o "
        "más. No sabemos cuántos tiene el suyo, así que se usó el mínimo federal. Si tiene "
        "{size} o más, escriba el número de empleados en el trabajo: podrían deberle más.",
        "{state}'s minimum wage ({rate}) covers only employers with {size} or more employees. "
        "We do not know how many yours has, so the federal minimum was used. If it has {size} "
        "or more, enter the number of employees in the job: you could be owed more.",
    ),
    "regional_minimum": (
        "Se usó el salario mínimo general de {state}. En {region} el mínimo es más alto "
        "({rate}): si trabaja allí, le podrían deber más.",
        "{state}'s general minimum wage was used. In {region} the minimum is higher ({rate}): "
        "if you work there, you could be owed more.",
    ),
    "same_employer_weeks": (
        "Sus trabajos con el mismo empleador pasan de 40 horas en la misma semana, pero sus "
        "semanas empiezan en días distintos y se revisaron por separado: le podrían deber "
        "horas extra.",
        "Your jobs with the same employer pass 40 hours in the same week, but their "
        "workweeks start on different days and were checked apart: you could be owed "
        "overtime.",
    ),
    "live_in_domestic": (
        "Si usted vive en la casa donde trabaja, las horas extra son otras ({rules}). Esta "
        "revisión supone que no vive ahí. La ley federal tampoco da salario mínimo ni horas "
        "extra a quien acompaña a una persona mayor o enferma y lo contrata la familia; la ley "
        "del estado puede darlos.",
        "If you live in the home where you work, overtime is different ({rules}). This check "
        "assumes you do not live there. Federal law also gives no minimum wage or overtime to "
        "a companion of an older or sick person hired by the family; state law may.",
    ),
    "employer_size_unknown": (
        "No sabemos cuántos empleados tiene el empleador. Se usó la regla de horas extra para "
        "empleadores pequeños. Si tiene más, podrían deberle más.",
        "We do not know how many employees the employer has. The overtime rule for small "
        "employers was used. If it has more, you could be owed more.",
    ),
    "no_piece_rate": (
        "No registró la tarifa por pieza o por día. Se revisó solo contra el mínimo.",
        "No piece or day rate was logged. Pay was checked only against the minimum.",
    ),
    "h2a_period_topup": (
        "H-2A: lo ganado por pieza o por día se compara con la tarifa por hora de H-2A en cada "
        "periodo de pago; si no llega, el empleador completa la diferencia en ese periodo. Cada "
        "semana, además, debe llegar al salario mínimo. Por eso lo esperado por periodo puede "
        "ser más que la suma de las semanas.",
        "H-2A: piece or day earnings are compared with the H-2A hourly rate for each pay period; "
        "if they fall short, the employer makes up the difference for that period. Each week "
        "must also reach the minimum wage. So expected pay for a period can be more than the "
        "weeks add up to.",
    ),
    "salary_half_time": (
        "Para un sueldo, esta revisión pagó cada hora extra a la mitad de la tarifa regular (el "
        "sueldo entre todas las horas). La ley federal permite eso solo si usted y el empleador "
        "acordaron que el sueldo fijo cubre todas las horas de cada semana, sean muchas o pocas. "
        "Si no hubo ese acuerdo, le podrían deber más por cada hora extra.",
        "For a salary, this check paid each overtime hour at half the regular rate (the salary "
        "divided by all hours). Federal law allows that only if you and the employer agreed that "
        "the fixed salary covers all hours of each week, however many or few. Without that "
        "agreement, you could be owed more for each overtime hour.",
    ),
    "farm_minimum_exemptions": (
        "La ley federal no da salario mínimo en el campo si el empleador usó 500 días-trabajador "
        "de trabajo agrícola o menos en cada trimestre del año pasado, ni a quien cosecha a mano "
        "pagado por pieza, regresa a su casa cada día y trabajó menos de 13 semanas en el campo "
        "el año pasado. Esta revisión supone que eso no es su caso. La ley del estado puede dar "
        "más.",
        "Federal law gives no minimum wage on a farm whose employer used 500 worker-days of farm "
        "labor or fewer in every quarter of last year, nor to a hand harvester paid by the piece "
        "who goes home every day and worked fewer than 13 weeks in farm work last year. This "
        "check assumes neither is your case. State law may give more.",
    ),
    "three_fourths_unknown": (
        "Faltan las fechas del contrato o las horas por semana del job order. Sin ellas no se "
        "puede revisar la garantía de tres cuartas partes.",
        "The contract dates or the job order's hours per week are missing. Without them the "
        "three-fourths guarantee cannot be checked.",
    ),
    "shift_invalid": (
        "El turno del {date} tiene un descanso igual o más largo que el turno. No se contó.",
        "The shift on {date} has a break as long as the shift or longer. It was not counted.",
    ),
    "statement_rules_state": (
        "Lo que debe decir un talón de pago para trabajadores que no son H-2A/H-2B depende del "
        "estado. Eso no se revisó.",
        "What a pay statement must show for workers who are not H-2A/H-2B depends on the state. "
        "That was not checked.",
    ),
    "no_overtime_rules": (
        "No hay reglas de horas extra en los datos. No se calcularon horas extra.",
        "There are no overtime rules in the data. Overtime was not computed.",
    ),
}

#: Labels for deduction and expense kinds and statement items.
LABELS: dict[str, tuple[str, str]] = {
    "income_tax": ("impuesto federal", "federal income tax"),
    "social_security": ("Seguro Social", "Social Security"),
    "medicare": ("Medicare", "Medicare"),
    "state_tax": ("impuesto estatal", "state tax"),
    "garnishment": ("embargo", "garnishment"),
    "housing": ("vivienda", "housing"),
    "meals": ("comida", "meals"),
    "tools": ("herramientas", "tools"),
    "uniform": ("uniforme", "uniform"),
    "transport": ("transporte", "transport"),
    "recruitment_fee": ("cuota de reclutamiento", "recruitment fee"),
    "visa": ("visa", "visa"),
    "advance": ("adelanto", "advance"),
    "insurance": ("seguro", "insurance"),
    "other": ("otro", "other"),
    "industry_agriculture": ("el trabajo agrícola", "farm work"),
    "industry_construction": ("la construcción", "construction work"),
    "industry_restaurants": ("el trabajo en restaurantes", "restaurant work"),
    "industry_cleaning": ("el trabajo de limpieza", "cleaning work"),
    "industry_meatpacking": ("el trabajo en empacadoras de carne", "meatpacking work"),
    "industry_landscaping": ("la jardinería", "landscaping work"),
    "industry_domestic": ("el trabajo doméstico", "domestic work"),
    "industry_hospitality": ("el trabajo en hoteles", "hotel work"),
    "industry_other": ("este trabajo", "this work"),
    "employer_name": ("nombre del empleador", "employer name"),
    "employer_address": ("dirección del empleador", "employer address"),
    "employer_fein": ("número de empleador (FEIN)", "employer FEIN"),
    "pay_period": ("fechas del periodo", "pay period dates"),
    "hours_offered": ("horas ofrecidas", "hours offered"),
    "hours_worked": ("horas trabajadas", "hours worked"),
    "rate": ("tarifa", "rate"),
    "piece_units": ("piezas por día", "pieces per day"),
    "gross": ("total ganado", "total earnings"),
    "deductions": ("descuentos detallados", "itemized deductions"),
    "net": ("pago neto", "net pay"),
}


MONTHS: dict[str, tuple[str, ...]] = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def date_words(iso: str, lang: str) -> str:
    """An ISO date in words: 2026-11-03 is "3 de noviembre de 2026" / "November 3, 2026";
    anything that is not the ISO date of a real day (2026-02-31 is not) is returned as it is.
    Written out by hand (Python has no locale data of its own); isoDateWords in
    pwa/js/log/shifts.js gets the same words from Intl, and tests/wage_text_vectors.json keeps
    the two agreeing."""
    m = _ISO_DATE.fullmatch(iso)
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        day = None
    if day is None:
        return iso
    d, month, year = day.day, MONTHS[lang][day.month - 1], day.year
    return f"{d} de {month} de {year}" if lang == "es" else f"{month} {d}, {year}"


def _worded(values: dict[str, str], lang: str) -> dict[str, str]:
    return {key: date_words(value, lang) for key, value in values.items()}


def text(code: str, es: dict[str, str], en: dict[str, str] | None = None) -> Text:
    """The message `code` filled in; `en` values default to the Spanish ones (numbers, dates).
    A value that is an ISO date is said in words in each language ("3 de noviembre de 2026",
    "November 3, 2026"): a worker reads these sentences (issue 14)."""
    template_es, template_en = MESSAGES[code]
    return Text(
        es=template_es.format(**_worded(es, "es")),
        en=template_en.format(**_worded(es if en is None else en, "en")),
    )


def label(key: str) -> tuple[str, str]:
    return LABELS[key]


def money(cents: int) -> str:
    """$1,234.56: comma thousands and a point for cents, as US money is written in both
    languages (and by Mexican Spanish too). Written out by hand so both runtimes agree."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def duration(minutes: int) -> str:
    """45 h 30 min."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


#: The phone's copies: pwa/i18n/<lang>/wages.json.
PHONE_LANGS = ("es", "en")
PHONE_TEXTS_DIR = Path(__file__).resolve().parent.parent.parent / "pwa" / "i18n"


def phone_texts(lang: str) -> bytes:
    """The exact bytes of pwa/i18n/<lang>/wages.json: {"messages": …, "labels": …}."""
    i = PHONE_LANGS.index(lang)
    table = {
        "messages": {code: pair[i] for code, pair in MESSAGES.items()},
        "labels": {key: pair[i] for key, pair in LABELS.items()},
    }
    return msgspec.json.format(msgspec.json.encode(table), indent=1) + b"\n"


def write_phone_texts() -> list[Path]:
    written = []
    for lang in PHONE_LANGS:
        path = PHONE_TEXTS_DIR / lang / "wages.json"
        path.write_bytes(phone_texts(lang))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_phone_texts():
        print(f"wrote {written_path}", file=sys.stdout)
