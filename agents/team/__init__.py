"""The social neighbourhood team (ODD element 7, submodels *team_…*; docs/sources.md §2).

Workers in FTE with weekly hours and a caseload limit weighted by case intensity; the
domains the team covers (breadth) and the specialist functions it does itself (depth);
a competence per domain; an intake queue; outreach; support that raises recovery and own
strength; referral by consultation or hand-over; closing with aftercare; collective
work that strengthens the neighbourhood's informal network.

All decisions act on the rows the team holds (:class:`~wijksim.model.state.caseload.CaseTable`),
with numpy over those rows, so a team of any size costs little per week.

One module per job (issue 20, item 1):

* ``capacity`` — staff (FTE), weekly hours, caseload limit and case weights, the
  operator's knobs, the staff cost;
* ``intake`` — triage at the door, the intake queue, admission and the gate that
  offloads complex households;
* ``casework`` — case review, referral to specialists (consult or hand-over, provision
  level), closure and aftercare;
* ``support`` — the week's hours to households: recovery, protection, empowerment;
* ``collective`` — frontline hours outside casework: outreach and collective work;
* ``router`` — the access point of a split team (who leads, passing on, second workers);
* ``agent`` — :class:`NeighbourhoodTeam`, built from the first five.

The parts are mixins of one agent rather than collaborators: every part reads and
changes the same state (caseload limit, policy, weights, competence, the team's counters)
and the rules, the router, the operator and the specialists call one object
(``team.take_intake``, ``team.hand_back``, ``team.settings``); collaborators would need
that state passed around or a dozen forwarding methods. Each mixin holds no state of its
own: :meth:`NeighbourhoodTeam.__init__` sets every attribute, in one place.

The team's parameters stay in ``model/config/team_params.py`` and
``model/config/team_split.py``: they are part of the scenario schema, which
``model/config/scenario.py`` builds on and which must not import the agents.
"""

from wijksim.agents.team.agent import NeighbourhoodTeam
from wijksim.agents.team.intake import PRIORITY, deal_in_proportion
from wijksim.agents.team.router import TeamRouter

__all__ = ["PRIORITY", "NeighbourhoodTeam", "TeamRouter", "deal_in_proportion"]
