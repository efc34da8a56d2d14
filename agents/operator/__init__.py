"""The team's operator (ODD §7.9): paid under a funding contract, it sets the team's policy.

* ``agent`` — :class:`~wijksim.agents.operator.agent.TeamOperator`: the contract, the
  payments and staff costs, and the review that moves one knob at a time;
* ``forecast`` — how it forecasts one week under a candidate setting (its small model of
  its own team);
* ``knobs`` — the one list of knobs it may move, with steps and bounds.
"""
