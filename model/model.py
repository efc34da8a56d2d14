"""The Mesa model: wiring, schedule and the weekly step (ODD elements 1–3).

One step is one week. :class:`NeighbourhoodModel` builds the population, network and
agents from a validated :class:`~wijksim.model.config.scenario.Scenario`, runs the rules of its
schedule in order, and records the week's metrics.

Why one module: it is the wiring and the weekly step, the one module that builds
everything else (the import contracts in pyproject.toml); what it builds lives in its
own modules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import mesa
import numpy as np
from wijksim.agents.desk import CentralDesk
from wijksim.agents.household import Household
from wijksim.agents.municipality import Municipality
from wijksim.agents.operator.agent import TeamOperator
from wijksim.agents.operator.knobs import KNOBS
from wijksim.agents.specialist import Specialist
from wijksim.agents.team import NeighbourhoodTeam
from wijksim.agents.team.router import TeamRouter
from wijksim.model.config.city import Neighbourhood, neighbourhood_plans, split_by_weights
from wijksim.model.config.classification import NeedClassifier
from wijksim.model.config.scenario import EscalationKind, Scenario
from wijksim.model.core.clock import WEEKS_PER_YEAR, week_of_year, year_of
from wijksim.model.core.domains import DOMAIN_INDEX
from wijksim.model.observation import metrics
from wijksim.model.observation.outcomes import ClosureOutcomes
from wijksim.model.observation.survey import YearEndSurvey
from wijksim.model.observation.trajectories import TrajectoryLog
from wijksim.model.rules import RULES
from wijksim.model.rules.base import params_for
from wijksim.model.rules.schedule import resolved_schedule
from wijksim.model.state.caseload import CaseTable
from wijksim.model.state.ledger import CostLedger, household_ledger_id, to_cents
from wijksim.model.state.network import build_city_network
from wijksim.model.state.population import NEVER, concatenate_populations, initialise_population
from wijksim.model.state.streams import RandomStreams

RELAPSE_WINDOW_WEEKS = WEEKS_PER_YEAR
"""A household that returns to care within a year of its last closure relapsed
(docs/sources.md §2: ~30% in the old way of working, ~20% with teams)."""


def mesa_steps(model: mesa.Model) -> int:
    """How many times ``model.step()`` has been called, by Mesa's own counter.

    Mesa 3.3 counts steps in ``model.steps`` only, Mesa 3.5 also keeps ``model.time``,
    Mesa 4.0 only ``model.time`` (a float advanced by 1 per step; docs/mesa.md).
    """
    steps = getattr(model, "steps", None)
    return int(model.time) if steps is None else steps


class UnknownRuleError(ValueError):
    """A schedule names a rule that is not registered."""


class NeighbourhoodModel(mesa.Model):
    """A neighbourhood's households, their network, specialists and the access point.

    Args:
        params: The validated scenario.
        seed: The run's seed; every random stream is spawned from it.

    Attributes:
        params: The scenario (named ``params``: Mesa ≥ 3.5 uses ``scenario`` itself).
        week: The current week, derived from Mesa's step counter (:attr:`week`).
        burn_in_weeks: The weeks simulated before week 1, unreported (:meth:`_burn_in`).
        streams: The named random streams of this run.
        population: The household arrays.
        network: The social network.
        specialists: The specialist agents, in scenario order.
        desk: The old system's central desk (closed once a team opens).
        teams: The neighbourhood teams (none in the old system; several in a split).
        team_router: The access point of a split team (``None`` without a split; in a
            city the first neighbourhood's with a split: each team uses its own).
        neighbourhoods: The neighbourhoods (one without ``[city]``), each with its block
            of household rows, its teams and its access point (model/config/city.py).
        neighbourhood_of: The neighbourhood index of every household row.
        is_city: Whether the scenario has a ``[city]`` (per-neighbourhood bookkeeping).
        operators: One per provider with a contract, each running the teams of its own
            neighbourhoods (one for a ``[funding]`` outside a city; none without a
            contract: the municipality pays the staff).
        operator: The first of ``operators`` (``None`` without one): outside a city, the
            operator.
        referral_access: The first operator's volume control on referrals (each
            operator's is its ``access``).
        knob_names: The operator's knobs (agents/operator/knobs.py), recorded weekly as
            ``team_<name>`` with or without a team.
        cases: The teams' side of every household.
        counters: This week's event counts (households found by route, referrals, …),
            reset at the start of every step and recorded with the metrics.
        outcomes: What became of each closure in the year after it
            (model/observation/outcomes.py).
        trajectories: Every team case's duration and ZRM change
            (model/observation/trajectories.py).
        survey: The sample surveys of all households at each year's end
            (model/observation/survey.py).
        ledger: The cost ledger.
        records: One dict of metrics per week (the city's, in a city).
        neighbourhood_records: A city's dict of per-neighbourhood metrics per week
            (``share_complex@west``,
            :func:`~wijksim.model.observation.metrics.neighbourhood_metrics`); empty outside a
            city.
    """

    def __init__(self, params: Scenario, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self._parked_agent_ids = None  # see _numbering_agents
        # The record reads the knobs here: observation/ does not import the agents.
        self.knob_names: tuple[str, ...] = tuple(knob.name for knob in KNOBS)
        self.params = params
        self.seed = int(seed)
        self.burn_in_weeks = params.burn_in_years * WEEKS_PER_YEAR
        self.streams = RandomStreams(seed)
        self.is_city = params.city is not None
        plans = neighbourhood_plans(params)
        # One stream for the whole city: the neighbourhoods are drawn in turn.
        stream = self.streams.get("population")
        self.population = concatenate_populations(
            [initialise_population(plan.population, stream) for plan in plans]
        )
        ends = np.cumsum([plan.households for plan in plans]).tolist()
        blocks = [slice(end - plan.households, end) for plan, end in zip(plans, ends, strict=True)]
        self.neighbourhood_of = np.repeat(
            np.arange(len(plans), dtype=np.int16), [plan.households for plan in plans]
        )
        self.network = build_city_network(
            params.network,
            self.population.vulnerability,
            blocks,
            self.streams.get("network"),
            # The first neighbourhood's seed is a single neighbourhood's.
            [
                self.streams.integer_seed("networkx" if i == 0 else f"networkx_{i}")
                for i in range(len(plans))
            ],
            params.city.cross_neighbourhood_tie_share if params.city else 0.0,
            self.streams.get("network_across"),
        )
        self.classifier = NeedClassifier(params.classification.group_definitions())
        self.population.need_group[:] = self.classifier.classify(self.population.zrm)
        self.ledger = self._new_ledger(plans)
        self._household_agents: dict[int, Household] = {}
        self.specialists = [
            Specialist(self, kind, index, specialist)
            for index, (kind, specialist) in enumerate(params.specialists.items())
        ]
        self.crisis_care = next(s for s in self.specialists if s.params.forced_admission)
        self.desk = CentralDesk(self, params.access)
        self.cases = CaseTable.empty(self.population.size)
        self.neighbourhoods = [
            Neighbourhood(index, plan, block, self.desk)
            for index, (plan, block) in enumerate(zip(plans, blocks, strict=True))
        ]
        self.teams = self._build_teams()
        self.team_router = next((h.router for h in self.neighbourhoods if h.router), None)
        self.counters: Counter = Counter()
        self.outcomes = ClosureOutcomes()
        # Observers for the yearly indicators (experiments/analysis/indicators.py): they read
        # the state and change no result.
        self.trajectories = TrajectoryLog(self.population.size)
        self.survey = YearEndSurvey(params.survey)
        self.municipality = Municipality(self, params.zeroth_line)
        self.operators = self._build_operators()
        self.operator = self.operators[0] if self.operators else None
        # The contract's volume control on referrals (options A–E); none without one.
        self.referral_access = self.operator.access if self.operator else None
        self.schedule = resolved_schedule(params.schedule, params.rules)
        unknown = [name for name in self.schedule if name not in RULES]
        if unknown:
            raise UnknownRuleError(
                f"schedule names unknown rule(s) {unknown}; registered: {sorted(RULES)}"
            )
        self.rules = [RULES[name](params_for(RULES[name], params.rules)) for name in self.schedule]
        for rule in self.rules:
            rule.setup(self)
        self.records: list[dict[str, float]] = []
        self.neighbourhood_records: list[dict[str, float]] = []
        self._burn_in()
        with self._numbering_agents():
            pass  # from here on, Mesa's class-wide registry no longer holds this model

    @contextmanager
    def _numbering_agents(self) -> Iterator[None]:
        """Lend Mesa 3.3 this model's agent counter while agents may be made, then take it back.

        Mesa 3.3 numbers agents from a class-wide ``Agent._ids``, a dict keyed by the
        model, so every model ever made stays in memory for the life of the process: each
        worker of a Sobol analysis (3,000 households a run) held 6.9 GB after some 360
        runs. Outside a step or the making of a household agent the model
        keeps its counter itself, so numbering continues where it left off (the ledger's
        numbers do not change) and the model is freed when nothing else holds it.
        Mesa ≥ 3.4 numbers agents per model and has no such registry: nothing to do.
        """
        registry = getattr(mesa.Agent, "_ids", None)
        if not isinstance(registry, dict):
            yield
            return
        if self._parked_agent_ids is not None:
            registry[self] = self._parked_agent_ids
        try:
            yield
        finally:
            self._parked_agent_ids = registry.pop(self, self._parked_agent_ids)

    @property
    def week(self) -> int:
        """The current week: Mesa's step counter less the burn-in's weeks.

        The one clock of the model (issue 20, item 5): every week, burn-in included, is
        one call of :meth:`step`, which Mesa counts. The burn-in's weeks are −N+1 … 0,
        the reported weeks 1, 2, …; before the first step (while the model is built) it
        is −N, or 0 without a burn-in.
        """
        return mesa_steps(self) - self.burn_in_weeks

    def _burn_in(self) -> None:
        """Simulate the burn-in's weeks before week 1, unreported, so week 1 starts settled.

        The initial draw has almost no complex households; the old system's groups and
        spending take years to settle. The burn-in runs the old system (teams open in
        week 1 at the earliest) on the run's own random streams, in weeks −N+1 … 0,
        then forgets what it booked and recorded: reported week 1 starts from a state
        the old system would have reached, the same for every scenario on a seed.
        """
        if self.burn_in_weeks <= 0:
            return
        for _ in range(self.burn_in_weeks):
            self.step()  # a burn-in week: its rules run, nothing is recorded
        self.ledger = self._new_ledger([hood.plan for hood in self.neighbourhoods])
        self.outcomes = ClosureOutcomes()  # follow closures from week 1, as reported
        for agent in (*self.specialists, self.desk, self.municipality, *self.teams):
            agent.billed_cents = 0
        self.population.cost_cents[:] = 0
        self.population.cost_cents_year_start[:] = 0
        self.population.escalations[:] = 0

    def _new_ledger(self, plans) -> CostLedger:
        """An empty ledger; a city's books every euro to a neighbourhood and provider too."""
        if not self.is_city:
            return CostLedger()
        return CostLedger([p.name for p in plans], [p.provider for p in plans])

    def _build_teams(self) -> list[NeighbourhoodTeam]:
        """Each neighbourhood's team, or the teams of its split, each with its share of the FTE.

        Team indices run over the whole city (``CaseTable.team``); with a split, a router
        stands where the neighbourhood's single team stood (ODD §7.14).
        """
        teams: list[NeighbourhoodTeam] = []
        for hood in self.neighbourhoods:
            team_params = hood.plan.team
            if team_params is None:
                continue
            split = team_params.split
            for position, (name, params) in enumerate(team_params.split_params()):
                team = NeighbourhoodTeam(self, len(teams), params, name=self._team_name(hood, name))
                team.neighbourhood = hood
                if split.is_split:
                    team.specialise(split.focus_mask(split.teams[position]), split)
                hood.teams.append(team)
                teams.append(team)
            if split.is_split:
                hood.router = TeamRouter(self, split, hood.teams)
                for team in hood.teams:
                    team.router = hood.router
        return teams

    def _build_operators(self) -> list[TeamOperator]:
        """An operator per provider with a contract and teams, over its neighbourhoods.

        The first draws its population samples from the ``funding`` stream, as a single
        neighbourhood's; the others each from their own (``funding_<provider>``).
        """
        by_provider: dict[str, list[Neighbourhood]] = {}
        for hood in self.neighbourhoods:
            if hood.plan.contract is not None and hood.teams:
                by_provider.setdefault(hood.provider, []).append(hood)
        operators = []
        for position, (provider, hoods) in enumerate(by_provider.items()):
            stream = "funding" if position == 0 else f"funding_{provider}"
            operators.append(TeamOperator(self, hoods[0].plan.contract, hoods, stream))
        return operators

    def _team_name(self, hood: Neighbourhood, split_name: str) -> str:
        """A split team's metric suffix; with several neighbourhoods, prefixed with its own."""
        if len(self.neighbourhoods) == 1 or not split_name:
            return split_name
        return f"{hood.name}_{split_name}"

    @property
    def year(self) -> int:
        """The simulated year the current week falls in (1-based)."""
        return year_of(self.week)

    def household(self, row: int) -> Household:
        """The household agent of population row ``row``, made when first asked for.

        The rules work on the population's arrays; a :class:`Household` is a view on one
        row for code written per agent (a partner's rule, a test). Made on demand, not
        for every row up front: most runs never ask for one, and 100,000 Mesa agents cost
        seconds to build and memory to keep (issue 20, item 5). The ledger numbers
        households by row, whether or not an agent was made
        (:func:`~wijksim.model.state.ledger.household_ledger_id`).
        """
        agent = self._household_agents.get(row)
        if agent is None:
            with self._numbering_agents():
                agent = self._household_agents[row] = Household(self, row)
        return agent

    @property
    def access_point(self):
        """The first neighbourhood's access point (a city: :meth:`send_to_access_points`)."""
        return self.neighbourhoods[0].access_point

    def send_to_access_points(self, rows: np.ndarray, week: int, route: str) -> None:
        """Send ``rows`` found by ``route`` to their own neighbourhood's access point."""
        if len(self.neighbourhoods) == 1:
            self.neighbourhoods[0].access_point.apply(rows, week, route)
            return
        hood_of = self.neighbourhood_of[rows]
        for hood in self.neighbourhoods:
            mine = rows[hood_of == hood.index]
            if mine.size:
                hood.access_point.apply(mine, week, route)

    def network_capacity_factors(self) -> np.ndarray:
        """Per neighbourhood: helpers' capacity × this (1 + its teams' collective work)."""
        return np.array([hood.network_capacity_factor() for hood in self.neighbourhoods])

    @property
    def network_capacity_factor(self) -> float:
        """:meth:`network_capacity_factors`; in a city their mean over households."""
        factors = self.network_capacity_factors()
        if factors.size == 1:
            return float(factors[0])
        sizes = [hood.households for hood in self.neighbourhoods]
        return float(np.average(factors, weights=sizes))

    def split_over_neighbourhoods(self, cents: int) -> list[int]:
        """A city-wide amount divided over the neighbourhoods by households (exact cents)."""
        return split_by_weights(cents, [hood.households for hood in self.neighbourhoods])

    def note_closure(self, rows: np.ndarray) -> None:
        """A care episode of ``rows`` closed this week (start of the relapse window)."""
        self.population.last_closed_week[rows] = self.week
        self.counters["closures"] += int(rows.size)
        self.outcomes.note_closure(rows, self.week, by_team=self.cases.team[rows] >= 0)

    def note_return(self, rows: np.ndarray) -> None:
        """``rows`` return to care: count the relapses, close their windows."""
        closed = self.population.last_closed_week[rows]
        relapsed = (closed > NEVER) & (self.week - closed <= RELAPSE_WINDOW_WEEKS)
        self.counters["relapses"] += int(relapsed.sum())
        self.population.last_closed_week[rows] = NEVER

    def rule(self, name: str):
        """The scheduled rule instance called ``name``.

        Raises:
            UnknownRuleError: If no rule of that name is in this model's schedule.
        """
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise UnknownRuleError(
            f"rule '{name}' is not in this model's schedule: {list(self.schedule)}"
        )

    def step(self) -> None:
        """Advance one week: run every rule of the schedule, then record metrics.

        Mesa advances its step counter, and so :attr:`week`, before this runs. A burn-in
        week (week ≤ 0) records nothing.
        """
        with self._numbering_agents():  # a partner's rule may make agents
            self._run_rules()
        if self.week <= 0:
            return
        self.records.append(metrics.collect(self))
        if self.is_city:
            self.neighbourhood_records.append(metrics.collect_neighbourhoods(self))
        if self.week % WEEKS_PER_YEAR == 0:  # the year's end: its survey
            self.survey.observe(self, self.year)

    def _run_rules(self) -> None:
        """This week's rules, in schedule order, from a fresh week (:meth:`_begin_week`)."""
        self._begin_week()
        for rule in self.rules:
            rule.step(self)

    def _begin_week(self) -> None:
        """Start a week: the one reset of everything a week's rules add to.

        The contract (issue 20, item 3): what holds one week's events or care starts from
        zero here, before the first rule, and only here; a rule only adds to it (``+=``,
        ``np.maximum``), so rules may run in any order (a partner's rule placed anywhere
        sees the same). That is the week's counters (the model's and each team's,
        :mod:`wijksim.model.observation.counters`) and the population's per-week care arrays
        (:attr:`~wijksim.model.state.population.Population.WEEKLY_FIELDS`: recovery boost and
        escalation protection). Everything else is state that carries over from week to
        week; a team's intake hours are counted from one intake to the next
        (``NeighbourhoodTeam.begin_week``, called by the ``team_casework`` rule). In a
        reported year's first week the population also starts counting the year's costs
        (:meth:`~wijksim.model.state.population.Population.begin_year`).
        """
        self.counters.clear()
        for team in self.teams:
            team.counters.clear()
        self.population.begin_week()
        if self.week > 0 and week_of_year(self.week) == 1:
            self.population.begin_year()  # a reported year's first week

    def run(self, weeks: int, progress=None) -> None:
        """Run ``weeks`` steps, calling ``progress(1)`` after each if given."""
        for _ in range(weeks):
            self.step()
            if progress is not None:
                progress(1)

    def escalate(self, rows: np.ndarray | int, kind_name: str, kind: EscalationKind) -> None:
        """Book an escalation of each of ``rows`` and move them into crisis care.

        Args:
            rows: The households that escalate this week by this kind (ascending), or
                one household's row.
            kind_name: The escalation kind's key (``eviction``, …).
            kind: Its parameters.
        """
        rows = np.atleast_1d(np.asarray(rows, dtype=np.intp))
        population = self.population
        held = rows[population.provider[rows] >= 0]
        for index in np.unique(population.provider[held]).tolist():
            self.specialists[index].remove(held[population.provider[held] == index].tolist())
        for row in rows.tolist():
            self.desk.withdraw(row)
        for team in self.teams:
            team.withdraw(rows)
        self.note_return(rows)
        self.counters[f"escalations_{kind_name}"] += int(rows.size)
        self.counters["escalations_total"] += int(rows.size)
        cents = to_cents(kind.cost_eur)
        population.cost_cents[rows] += cents
        population.escalations[rows] += 1
        hood_of = self.neighbourhood_of[rows].tolist()
        for row, hood in zip(rows.tolist(), hood_of, strict=True):
            agent_id = household_ledger_id(row)
            self.ledger.book(self.week, "escalation", kind.payer, agent_id, kind_name, cents, hood)
            if self.is_city:
                self.counters[f"escalations_total@{self.neighbourhoods[hood].name}"] += 1
        for domain, levels in kind.marks.items():
            # An eviction or a placement leaves its mark beyond the crisis (assumption).
            column = DOMAIN_INDEX[domain]
            population.zrm[rows, column] = np.maximum(population.zrm[rows, column] - levels, 1)
        self.crisis_care.admit_now(rows, self.week, kind.crisis_weeks, self._kind_columns(kind))

    def _kind_columns(self, kind: EscalationKind) -> np.ndarray:
        """The domain columns of an escalation kind."""
        return np.array([DOMAIN_INDEX[d] for d in kind.domains], dtype=np.intp)
