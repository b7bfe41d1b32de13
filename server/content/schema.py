"""The content schema: one msgspec Struct per file kind in `content/`.

These Structs are the single source of truth for guide front matter and for each data file
in `content/data/`. `cartilla check` decodes every file with them, the build and the API
read content through them, and `export_schemas()` writes the JSON Schemas in
`content/schema/` that editors use for hints (a test fails when those files are stale).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

# --- vocabularies -------------------------------------------------------------------------

#: US states and territories by USPS code. Guides and data name states only by these codes.
STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}  # fmt: skip

#: Kinds of work a profile can choose.
INDUSTRIES: tuple[str, ...] = (
    "agriculture",
    "construction",
    "restaurants",
    "cleaning",
    "meatpacking",
    "landscaping",
    "domestic",
    "hospitality",
)

#: Immigration statuses a guide can apply to. A profile may also say "any" (prefer not to say).
STATUSES: tuple[str, ...] = ("h2a", "h2b", "undocumented")

#: Interface languages the app ships; guides may exist in any BCP-47 language.
PRIMARY_LANGUAGES: tuple[str, ...] = ("es", "en")

StateCode = Literal[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX",
    "UT", "VT", "VA", "WA", "WV", "WI", "WY",
]  # fmt: skip
Industry = Literal[
    "agriculture",
    "construction",
    "restaurants",
    "cleaning",
    "meatpacking",
    "landscaping",
    "domestic",
    "hospitality",
]
Status = Literal["h2a", "h2b", "undocumented", "any"]
ReviewStatus = Literal["draft", "reviewed"]
GuideKind = Literal["status", "topic", "industry", "state"]

Slug = Annotated[
    str,
    Meta(
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length=80,
        description="lower-case letters, digits and single hyphens, e.g. wage-theft",
    ),
]
#: BCP-47 language tag: a 2-3 letter language, optional script, region or variant subtags.
LanguageTag = Annotated[
    str,
    Meta(
        pattern=r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?(-[a-z0-9]{5,8})*$",
        max_length=35,
        description="a BCP-47 language tag such as es, en, mix, zap or trs",
    ),
]
HttpsUrl = Annotated[
    str,
    Meta(pattern=r"^https://[^\s/$.?#][^\s]*$", max_length=500, description="an https:// URL"),
]
#: A phone number as it is dialled in the US: digits, spaces, +, -, parentheses.
Phone = Annotated[
    str,
    Meta(pattern=r"^\+?[0-9][0-9 ()\-]{6,20}$", max_length=24, description="e.g. 1-866-487-9243"),
]
NonEmpty = Annotated[str, Meta(min_length=1, max_length=2000)]
Money = Annotated[float, Meta(ge=0, le=10000, description="US dollars")]
#: Text in several languages, keyed by language tag. `cartilla check` requires `es` and `en`.
Localized = dict[LanguageTag, NonEmpty]


class Source(Struct, forbid_unknown_fields=True, kw_only=True):
    """Where a fact comes from: an official page first, and the date it was read."""

    title: NonEmpty
    url: HttpsUrl
    accessed: dt.date | None = None


class TranslationOf(Struct, forbid_unknown_fields=True, kw_only=True):
    """For a translation: the language and version of the guide it was translated from."""

    lang: LanguageTag
    version: Annotated[int, Meta(ge=1)]


class AppliesTo(Struct, forbid_unknown_fields=True, kw_only=True):
    """Which profiles a guide is for. `all` means every state or every industry."""

    states: list[StateCode] | Literal["all"] = "all"
    industries: list[Industry] | Literal["all"] = "all"
    statuses: Annotated[list[Status], Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: ["any"]
    )


class GuideFrontMatter(Struct, forbid_unknown_fields=True, kw_only=True):
    """The YAML front matter at the top of every guide in `content/guides/`."""

    id: Slug
    lang: LanguageTag
    title: Annotated[str, Meta(min_length=1, max_length=140)]
    summary: Annotated[str, Meta(min_length=1, max_length=400)]
    version: Annotated[
        int, Meta(ge=1, description="a whole number; raise it when the text changes")
    ]
    reviewed: dt.date
    review_status: ReviewStatus
    kind: GuideKind
    applies_to: AppliesTo
    topics: list[Slug] = msgspec.field(default_factory=list)
    sources: list[Source] = msgspec.field(default_factory=list)
    effective: dt.date | None = None
    translation_of: TranslationOf | None = None


# --- data files ---------------------------------------------------------------------------

AgencyArea = Literal[
    "wages",
    "safety",
    "discrimination",
    "organizing",
    "workers_comp",
    "immigration_discrimination",
    "trafficking",
    "farmworkers",
    "guest_workers",
]


class Agency(Struct, forbid_unknown_fields=True, kw_only=True):
    """A US agency a worker can go to. `jurisdiction` is `federal` or a state code."""

    id: Slug
    jurisdiction: StateCode | Literal["federal"]
    name: Localized
    short_name: Annotated[str, Meta(max_length=40)] | None = None
    areas: Annotated[list[AgencyArea], Meta(min_length=1)]
    what_it_does: Localized
    phone: Phone | None = None
    url: HttpsUrl | None = None
    complaint_url: HttpsUrl | None = None
    sources: Annotated[list[Source], Meta(min_length=1)]


class ConsulatePhone(Struct, forbid_unknown_fields=True, kw_only=True):
    """One number of a consulate and the page that gives it.

    `source` may be left out only so `cartilla check` can name the phone that lacks one (a
    decode error would not say which rule was broken). `confirm` is true when only a secondary
    page (not an SRE page) gives the number: the app shows it marked "confirme".
    """

    number: Phone
    kind: Literal["main", "protection"]
    source: Source | None = None
    confirm: bool = False


class SourcedText(Struct, forbid_unknown_fields=True, kw_only=True):
    """A consulate's street address or hours, as one page states them."""

    text: Localized
    source: Source
    confirm: bool = False


class CountyList(Struct, forbid_unknown_fields=True, kw_only=True):
    """The counties of one state a consulate serves (its circunscripción), as a page lists them.

    `complete` is false when the page lists only some of them (the app then says so).
    """

    state: StateCode
    names: Annotated[list[NonEmpty], Meta(min_length=1)]
    source: Source
    confirm: bool = False
    complete: bool = True


class EntregaKey(Struct, forbid_unknown_fields=True, kw_only=True):
    """An office's Entrega key (docs/entrega.md): phones encrypt bundles to it.

    `cartilla check` parses the recipient as an age X25519 recipient, recomputes the
    fingerprint, and requires valid_from < valid_until.
    """

    recipient: Annotated[str, Meta(pattern=r"^age1[02-9ac-hj-np-z]{58}$")]
    fingerprint: Annotated[str, Meta(pattern=r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")]
    valid_from: dt.date
    valid_until: dt.date
    added: dt.date


class Consulate(Struct, forbid_unknown_fields=True, kw_only=True):
    """A Mexican consulate in the US: where it is and the states (or parts) it serves."""

    id: Slug
    city: NonEmpty
    state: StateCode
    serves: Annotated[list[StateCode], Meta(min_length=1)]
    serves_note: Localized | None = None
    address: SourcedText | None = None
    hours: SourcedText | None = None
    phones: list[ConsulatePhone] = msgspec.field(default_factory=list)
    counties: list[CountyList] = msgspec.field(default_factory=list)
    url: HttpsUrl | None = None
    sources: Annotated[list[Source], Meta(min_length=1)]
    #: Entrega keys (docs/entrega.md); none means "not receiving Entrega yet".
    entrega_keys: list[EntregaKey] = msgspec.field(default_factory=list)


class Hotline(Struct, forbid_unknown_fields=True, kw_only=True):
    """A consular or community hotline (for example CIAM)."""

    id: Slug
    name: Localized
    what_it_does: Localized
    phone: Phone | None = None
    url: HttpsUrl | None = None
    sources: Annotated[list[Source], Meta(min_length=1)]


class DatedRate(Struct, forbid_unknown_fields=True, kw_only=True):
    """A wage figure in force from `effective` until the next entry replaces it."""

    effective: dt.date
    rate: Money
    note: Localized | None = None
    source: Source


class OvertimeStep(Struct, forbid_unknown_fields=True, kw_only=True):
    """Overtime thresholds in force from `effective` (a phase-in is several steps).

    A missing threshold means no overtime of that kind. `weekly_after: null` with no daily
    rule is a full exemption (federal agriculture).
    """

    effective: dt.date
    weekly_after: Annotated[float, Meta(gt=0, le=168)] | None = None
    daily_after: Annotated[float, Meta(gt=0, le=24)] | None = None
    daily_double_after: Annotated[float, Meta(gt=0, le=24)] | None = None
    seventh_day: bool = False
    # Hours on the seventh day paid at time and a half before double time; default: the daily
    # threshold (CA farm work during the phase-in: 8, while `daily_after` was 8.5 or more).
    seventh_day_after: Annotated[float, Meta(gt=0, le=24)] | None = None
    employer_size_min: Annotated[int, Meta(ge=1)] | None = None
    note: Localized | None = None
    source: Source


class OvertimeRules(Struct, forbid_unknown_fields=True, kw_only=True):
    """Overtime for most workers (`general`) and for farmworkers (`agriculture`).

    `domestic_live_in` is the rule for domestic workers who live in the home where they work
    (federal: none, 29 U.S.C. 213(b)(21)). The log does not say whether a worker lives in, so
    the check names this rule in a note on every domestic job instead of applying it.
    """

    general: list[OvertimeStep] = msgspec.field(default_factory=list)
    agriculture: list[OvertimeStep] = msgspec.field(default_factory=list)
    domestic: list[OvertimeStep] = msgspec.field(default_factory=list)
    domestic_live_in: list[OvertimeStep] = msgspec.field(default_factory=list)


class MinimumWageCoverage(Struct, forbid_unknown_fields=True, kw_only=True):
    """Who a state's minimum wage does not cover (for example NE: farm work, under 4 employees).

    For a job in `excludes_industries`, or with an employer known to have fewer than
    `employer_size_min` employees, the check leaves the state minimum out and uses the federal
    one (and the AEWR for H-2A). With an unknown employer size it also leaves it out, and says so.
    """

    excludes_industries: list[Industry] = msgspec.field(default_factory=list)
    employer_size_min: Annotated[int, Meta(ge=2)] | None = None
    note: Localized | None = None
    source: Source


class RegionalMinimum(Struct, forbid_unknown_fields=True, kw_only=True):
    """A higher minimum wage in part of a state (NY: New York City, Long Island, Westchester).

    A job whose `region` is this `id` gets this rate; a job with no region keeps the state's
    general rate, and the check names this one in a note (`regional_minimum`) when it is higher;
    `region: rest-of-state` means outside every listed region (the general rate, no note).
    """

    id: Slug
    name: Localized
    rates: Annotated[list[DatedRate], Meta(min_length=1)]


class SkillAewr(Struct, forbid_unknown_fields=True, kw_only=True):
    """An H-2A AEWR under the 2025 method (90 FR 47914) for one skill level (1: I, 2: II).

    It applies to job orders filed from the method change (see `AewrMethodChange`). The
    `housing_adjustment` (dollars an hour) comes off the rate for H-2A workers only (they get
    housing at no cost); it is left out when the source does not give it.
    """

    effective: dt.date
    level: Literal[1, 2]
    rate: Money
    housing_adjustment: Money | None = None
    note: Localized | None = None
    source: Source


class AewrMethodChange(Struct, forbid_unknown_fields=True, kw_only=True):
    """From `effective`, new H-2A job orders use a new AEWR method (2025-10-02: skill levels and
    a housing adjustment for H-2A workers only). An AEWR entry dated before it is applied to
    work on or after it only when the job order is known to predate it (contract start before
    the date); otherwise the check asks for the job-order rate instead of guessing."""

    effective: dt.date
    note: Localized
    source: Source


class SalaryRule(Struct, forbid_unknown_fields=True, kw_only=True):
    """A state rule for salaried non-exempt workers: the regular rate is salary / `hours`.

    CA Labor Code 515(d): 1/40 of the weekly salary, and the salary pays only the
    non-overtime hours, so each overtime hour is paid on top at 1.5 x that rate.
    """

    hours: Annotated[float, Meta(gt=0, le=168)]
    note: Localized | None = None
    source: Source


#: What every state's wage rules must say (`cartilla check`): each is filled in its own field
#: (pay_frequency_days_max, a seventh_day overtime step, farm overtime or minimum-wage coverage,
#: regional_minimum_wage, overtime.general) or told in `law`, with a source.
LawField = Literal[
    "pay_frequency", "day_of_rest", "farm_exemptions", "regional_minimum_wage", "overtime"
]
LAW_FIELDS: tuple[str, ...] = (
    "pay_frequency",
    "day_of_rest",
    "farm_exemptions",
    "regional_minimum_wage",
    "overtime",
)


class LawRule(Struct, forbid_unknown_fields=True, kw_only=True):
    """What a state's law says on one field, in words, with the source that shows it: a rule
    the check does not compute, or `none_in_law: true` when the law sets nothing."""

    none_in_law: bool = False
    note: Localized | None = None
    source: Source


class ScheduledChange(Struct, forbid_unknown_fields=True, kw_only=True):
    """A change the law schedules for a figure (`field`) from `effective`; with `yearly`, again
    on the same day every year after (a rate indexed to inflation). Its figure may not be
    published yet: `cartilla check --as-of DATE` warns 60 days before a change that has no entry
    on or after its date, and errors once it is in force without one."""

    field: Literal["minimum_wage", "tipped_cash_wage", "regional_minimum_wage"]
    effective: dt.date
    yearly: bool = False
    note: Localized | None = None
    source: Source


class WageJurisdiction(Struct, forbid_unknown_fields=True, kw_only=True):
    """The wage rules of one jurisdiction: `federal` or a state code.

    `note`, `law` notes and the H-2B note are for reading (the pack carries them in the
    phone's language only); the check reads the figures and steps.
    """

    id: StateCode | Literal["federal"]
    minimum_wage: list[DatedRate] = msgspec.field(default_factory=list)
    minimum_wage_coverage: MinimumWageCoverage | None = None
    regional_minimum_wage: list[RegionalMinimum] = msgspec.field(default_factory=list)
    tipped_cash_wage: list[DatedRate] = msgspec.field(default_factory=list)
    overtime: OvertimeRules = msgspec.field(default_factory=OvertimeRules)
    aewr: list[DatedRate] = msgspec.field(default_factory=list)
    aewr_skill: list[SkillAewr] = msgspec.field(default_factory=list)
    salary_regular_rate: SalaryRule | None = None
    aewr_method_changes: list[AewrMethodChange] = msgspec.field(default_factory=list)
    h2b_prevailing_wage: LawRule | None = None
    pay_frequency_days_max: Annotated[int, Meta(ge=1, le=31)] | None = None
    pay_frequency_source: Source | None = None
    law: dict[LawField, LawRule] = msgspec.field(default_factory=dict)
    scheduled_changes: list[ScheduledChange] = msgspec.field(default_factory=list)
    note: Localized | None = None


class Deadline(Struct, forbid_unknown_fields=True, kw_only=True):
    """A filing deadline. `days` only when the source gives a number; otherwise text only."""

    days: Annotated[int, Meta(ge=1, le=3650)] | None = None
    text: Localized
    source: Source


class TriageRoute(Struct, forbid_unknown_fields=True, kw_only=True):
    """One place to take a problem: a named agency, or `state:<area>` for the state's agency."""

    agency: Annotated[str, Meta(pattern=r"^([a-z0-9]+(-[a-z0-9]+)*|state:[a-z_]+)$")]
    deadline: Deadline | None = None
    # A state's own deadline for this route (e.g. the TWC wage claim in TX); for a worker in
    # that state it replaces `deadline`.
    state_deadlines: dict[StateCode, Deadline] = msgspec.field(default_factory=dict)
    note: Localized | None = None


class TriageProblem(Struct, forbid_unknown_fields=True, kw_only=True):
    """A problem a worker can name ("they did not pay me"), where it goes and what to bring."""

    id: Slug
    title: Localized
    question: Localized
    intake_category: Literal[
        "wage_theft",
        "workers_comp",
        "labor_discrimination",
        "labor_rights_violation",
        "labor_trafficking",
        "general_information",
    ]
    routes: Annotated[list[TriageRoute], Meta(min_length=1)]
    bring: list[Localized] = msgspec.field(default_factory=list)
    guides: list[Slug] = msgspec.field(default_factory=list)
    sources: Annotated[list[Source], Meta(min_length=1)]


class DataFileHeader(Struct, forbid_unknown_fields=True, kw_only=True):
    """What every data file says about itself: when it was reviewed and whether it is a draft."""

    reviewed: dt.date
    review_status: ReviewStatus


class AgenciesFile(DataFileHeader, forbid_unknown_fields=True, kw_only=True):
    """`content/data/agencies.yaml`."""

    agencies: list[Agency]


class ConsulatesFile(DataFileHeader, forbid_unknown_fields=True, kw_only=True):
    """`content/data/consulates.yaml`."""

    consulates: list[Consulate]
    hotlines: list[Hotline] = msgspec.field(default_factory=list)


class WageRulesFile(DataFileHeader, forbid_unknown_fields=True, kw_only=True):
    """`content/data/wage_rules.yaml`: what the wage check reads, never hard-coded figures."""

    jurisdictions: list[WageJurisdiction]


class TriageFile(DataFileHeader, forbid_unknown_fields=True, kw_only=True):
    """`content/data/triage.yaml`: problem -> agency -> deadline -> what to bring."""

    problems: list[TriageProblem]


#: Each data file's name in `content/data/` and the Struct that validates it.
DATA_FILES: dict[str, type[DataFileHeader]] = {
    "agencies.yaml": AgenciesFile,
    "consulates.yaml": ConsulatesFile,
    "wage_rules.yaml": WageRulesFile,
    "triage.yaml": TriageFile,
}

#: Every exported schema: file name in `content/schema/` -> Struct.
SCHEMAS: dict[str, type[Struct]] = {
    "guide-front-matter.schema.json": GuideFrontMatter,
    **{name.replace(".yaml", ".schema.json"): struct for name, struct in DATA_FILES.items()},
}


def schema_json(struct: type[Struct]) -> bytes:
    """The JSON Schema of `struct`, formatted stably so git diffs stay small."""
    schema = msgspec.json.schema(struct)
    return msgspec.json.format(msgspec.json.encode(schema), indent=2) + b"\n"
