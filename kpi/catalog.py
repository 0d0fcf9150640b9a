"""The KPI catalog: built-in KPIs, their aliases, team definitions, and name resolution."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import formula as fx
from . import lexicon
from .errors import InvalidFormula, UnknownKpi
from .i18n import _
from .limits import MAX_EXPANDED_DEPTH, MAX_FORMULA_NODES

UNITS = ("percent", "count", "ratio", "currency", "score")


@dataclass(frozen=True)
class Kpi:
    name: str
    formula: str
    unit: str
    better: str = "higher"
    description: str = ""
    builtin: bool = True
    tree: fx.Node | None = None

    @property
    def lower_is_better(self) -> bool:
        return self.better == "lower"

    @property
    def metrics(self) -> tuple[str, ...]:
        assert self.tree is not None
        seen: dict[str, None] = {}
        for agg in fx.aggregates(self.tree):
            for metric in agg.metrics:
                seen[metric] = None
        return tuple(seen)

    @property
    def additive(self) -> bool:
        return self.tree is not None and fx.is_additive(self.tree)


def _b(name: str, formula: str, unit: str, description: str, better: str = "higher") -> Kpi:
    return Kpi(name, formula, unit, better, description)


_SIMPLE_SUMS = {
    "impressions": "times posts were displayed",
    "reach": "unique people reached",
    "organic_reach": "people reached without paid promotion",
    "paid_reach": "people reached through paid promotion",
    "views": "video and content views",
    "posts": "posts published",
    "leads": "leads generated",
    "reviews": "reviews and ratings received",
    "mentions": "brand mentions",
    "new_followers": "followers gained",
    "interactions": "engagement actions a platform reports only as a total (Meta's content interactions)",
    "page_views": "views of the page or profile",
    "page_visitors": "unique visitors of the page",
    "profile_visits": "visits to the profile",
    "ad_impressions": "times ads were displayed",
    "ad_clicks": "clicks on ads",
    "ad_conversions": "conversions attributed to ads",
    "post_impressions": "lifetime impressions of the posts published in the period",
    "post_reach": "lifetime reach of the posts published in the period",
    "post_likes": "lifetime likes of the posts published in the period",
    "post_comments": "lifetime comments of the posts published in the period",
    "post_shares": "lifetime shares of the posts published in the period",
    "post_saves": "lifetime saves of the posts published in the period",
    "post_clicks": "lifetime clicks of the posts published in the period",
}

BUILTINS: dict[str, Kpi] = {
    k.name: k
    for k in [
        *(_b(name, f"sum({name})", "count", description) for name, description in _SIMPLE_SUMS.items()),
        _b("followers", "last(followers)", "count", "audience size on the latest day with data"),
        _b(
            "follower_growth_rate",
            "sum(new_followers - lost_followers) / (last(followers) - sum(new_followers - lost_followers))",
            "percent",
            "net follower growth over the audience at the start of the period",
        ),
        _b(
            "engagements",
            "sum(likes + comments + shares + saves + interactions)",
            "count",
            "likes, comments, shares and saves, and interactions reported only as a total",
        ),
        _b("engagement_rate", "engagements / sum(impressions)", "percent", "engagements per impression"),
        _b("applause_rate", "sum(likes) / sum(posts)", "ratio", "likes per post"),
        _b("conversation_rate", "sum(comments) / sum(posts)", "ratio", "comments per post"),
        _b("amplification_rate", "sum(shares) / sum(posts)", "ratio", "shares per post"),
        _b("avg_organic_reach", "sum(organic_reach) / sum(posts)", "count", "organic reach per post"),
        _b("ctr", "sum(clicks) / sum(impressions)", "percent", "clicks per impression"),
        _b(
            "social_traffic_share",
            "sum(social_sessions) / sum(sessions)",
            "percent",
            "site sessions from social",
        ),
        _b(
            "bounce_rate",
            "sum(bounces) / sum(sessions)",
            "percent",
            "sessions that left after one page",
            "lower",
        ),
        _b("conversion_rate", "sum(conversions) / sum(sessions)", "percent", "sessions that converted"),
        _b("lead_conversion_rate", "sum(customers) / sum(leads)", "percent", "leads that became customers"),
        _b("cost_per_lead", "sum(spend) / sum(leads)", "currency", "spend per lead", "lower"),
        _b(
            "roi",
            "(sum(revenue) - (sum(spend) + sum(hours) * hourly_rate)) / (sum(spend) + sum(hours) * hourly_rate)",
            "percent",
            "return on spend plus hours at the team's hourly rate",
        ),
        _b("csat", "mean(csat)", "score", "customer satisfaction score"),
        _b("ad_revenue", "sum(ad_revenue)", "currency", "revenue attributed to ads (conversion value)"),
        _b("cpc", "sum(spend) / sum(ad_clicks)", "currency", "ad spend per ad click", "lower"),
        _b(
            "cpm",
            "sum(spend) / sum(ad_impressions) * 1000",
            "currency",
            "ad spend per 1,000 ad impressions",
            "lower",
        ),
        _b("ad_ctr", "sum(ad_clicks) / sum(ad_impressions)", "percent", "ad clicks per ad impression"),
        _b("roas", "sum(ad_revenue) / sum(spend)", "ratio", "ad revenue per unit of spend"),
    ]
}

ALIASES: dict[str, str] = {
    "engagement": "engagement_rate",
    "er": "engagement_rate",
    "growth": "follower_growth_rate",
    "follower_growth": "follower_growth_rate",
    "traffic": "social_traffic_share",
    "social_traffic": "social_traffic_share",
    "cpl": "cost_per_lead",
    "applause": "applause_rate",
    "conversation": "conversation_rate",
    "amplification": "amplification_rate",
    "reshare_rate": "amplification_rate",
    "click_through_rate": "ctr",
    "bounce": "bounce_rate",
    "conversion": "conversion_rate",
    "conversions_rate": "conversion_rate",
    "lead_conversion": "lead_conversion_rate",
    "return": "roi",
    "satisfaction": "csat",
    "audience": "followers",
    "cost_per_click": "cpc",
    "return_on_ad_spend": "roas",
}


# A metric the team has data for is a KPI of its own name: its sum over the period, or, for these,
# its latest value (a stock) or its mean (a score); money metrics are shown as currency.
STOCK_METRICS = {"followers", "subscribers", "fans", "page_likes", "members", "audience_size"}
MEAN_METRICS = {"csat", "nps", "rating", "score", "sentiment"}
MONEY_METRICS = {"spend", "revenue", "cost", "ad_spend", "budget", "sales", "ad_revenue"}


def metric_kpi(metric: str) -> Kpi:
    fn = "last" if metric in STOCK_METRICS else "mean" if metric in MEAN_METRICS else "sum"
    unit = "currency" if metric in MONEY_METRICS else "score" if fn == "mean" else "count"
    return Kpi(metric, f"{fn}({metric})", unit, "higher", "a metric in your data", builtin=False)


class Catalog:
    """The KPIs one team sees: the built-ins, overridden or extended by the team's definitions, and
    every metric the team has data for (``metrics``, read only when a name is not a KPI)."""

    def __init__(
        self,
        definitions: dict[str, tuple[str, str, str]] | None = None,
        metrics: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.kpis: dict[str, Kpi] = dict(BUILTINS)
        for name, (formula, unit, better) in (definitions or {}).items():
            self.kpis[name] = Kpi(name, formula, unit, better, "team definition", builtin=False)
        self._compiled: dict[str, Kpi] = {}
        self._metrics_source = metrics
        self._metrics: dict[str, Kpi] | None = None

    @property
    def metrics(self) -> dict[str, Kpi]:
        """The team's metrics that are not KPI names, as KPIs (sum, last or mean of the metric)."""
        if self._metrics is None:
            found = self._metrics_source() if self._metrics_source else ()
            self._metrics = {m: metric_kpi(m) for m in found if m not in self.kpis and m not in ALIASES}
        return self._metrics

    def names(self) -> list[str]:
        return list(self.kpis)

    def resolve(self, typed: str) -> Kpi:
        """By exact name, then alias, then unique prefix; else an error suggesting the closest names."""
        name = typed.strip().lower().replace("-", "_")
        if name in self.kpis:
            return self.compiled(name)
        if name in ALIASES and ALIASES[name] in self.kpis:
            return self.compiled(ALIASES[name])
        french = lexicon.KPIS.get(lexicon.name(typed))
        if french in self.kpis:
            return self.compiled(french)
        if name in self.metrics:
            return self.compiled(name)
        starts = sorted(
            {n for n in self.kpis if n.startswith(name)}
            | {ALIASES[a] for a in ALIASES if a.startswith(name) and ALIASES[a] in self.kpis}
        )
        if name and len(starts) == 1:
            return self.compiled(starts[0])
        if len(starts) > 1:
            options = ", ".join(f"`{s}`" for s in starts[:6])
            raise UnknownKpi(
                _("`{typed}` could be several KPIs: {options}. Type more of the name.").format(
                    typed=typed, options=options
                )
            )
        raise UnknownKpi(self._unknown_message(typed, name))

    def _unknown_message(self, typed: str, name: str) -> str:
        pool = list(self.kpis) + list(ALIASES) + list(lexicon.KPIS) + list(self.metrics)
        close = difflib.get_close_matches(lexicon.name(typed) or name, pool, n=3, cutoff=0.6)
        # A French typo is answered with the French name (`taux_d_engagemnt` -> `taux_d_engagement`).
        suggestions = list(dict.fromkeys(c if c in lexicon.KPIS else ALIASES.get(c, c) for c in close))
        if suggestions:
            options = _(" or ").join(f"`{s}`" for s in suggestions)
            return _("Unknown KPI `{typed}`. Did you mean {options}? `/kpi list` shows them all.").format(
                typed=typed, options=options
            )
        return _("Unknown KPI `{typed}`. `/kpi list` shows the KPIs you can ask for.").format(typed=typed)

    def compiled(self, name: str) -> Kpi:
        """The KPI with its formula parsed and references to other KPIs expanded."""
        if name not in self._compiled:
            self._compiled[name] = self._compile(name, ())
        return self._compiled[name]

    def _compile(self, name: str, stack: tuple[str, ...]) -> Kpi:
        if name in stack:
            chain = " → ".join((*stack, name))
            raise InvalidFormula(
                _("The KPI `{name}` refers to itself ({chain}).").format(name=stack[0], chain=chain)
            )
        kpi = self.kpis[name] if name in self.kpis else self.metrics[name]
        tree = fx.parse(kpi.formula)
        expansions: dict[str, fx.Node] = {}
        for ref in fx.refs(tree):
            if ref in fx.SETTINGS:
                continue
            target = ref if ref in self.kpis else ALIASES.get(ref)
            if target is None or target not in self.kpis:
                raise InvalidFormula(
                    _(
                        "The formula of `{name}` uses `{ref}`, which is not a KPI. Wrap metrics in sum(), "
                        "last() or mean(), as in `sum({ref})`."
                    ).format(name=name, ref=ref)
                )
            sub = self._compile(target, (*stack, name))
            assert sub.tree is not None
            expansions[ref] = sub.tree
        tree = fx.substitute(tree, expansions)
        size, depth = fx.expanded_size(tree)
        if size > MAX_FORMULA_NODES or depth > MAX_EXPANDED_DEPTH:
            raise InvalidFormula(
                _(
                    "The formula of `{name}` is too large once the KPIs it uses are written out "
                    "({size} terms, nested {depth} deep; the limit is {most} terms, {deepest} deep). "
                    "Refer to fewer KPIs, or to each one fewer times."
                ).format(
                    name=name,
                    size=f"{size:,}",
                    depth=f"{depth:,}",
                    most=f"{MAX_FORMULA_NODES:,}",
                    deepest=MAX_EXPANDED_DEPTH,
                )
            )
        return Kpi(kpi.name, kpi.formula, kpi.unit, kpi.better, kpi.description, kpi.builtin, tree)
