"""The model's revision: bumped with every change of results.

Two runs of the same scenario and seed give the same numbers only if they were made with
the same revision. Sweeps record it and refuse to mix runs of different revisions
(a resumed sweep after a model fix would otherwise keep runs of the old code); the
revisions are listed in ``docs/ODD.md`` §11.

Bump :data:`MODEL_REVISION` in the same commit as any change that alters a result of
``experiments/benchmarks/fingerprint.py``.
"""

MODEL_REVISION = 5
"""1: the model as of commit 3d58c1e (issues 1–7). 2: the corrected mechanics of issue 15
(crisis care billed as every provider, own strength fading once a week, waiting lists
re-triaged weekly, a burn-in, protection by hours, substitution at a factor, escalation
marks, intake hours and triage, outcome indicators, the operator seeing its settlement, a
contracted formation under the function budget, staff cuts that wait for cases to close).
3: the operator's forecast counts escalations spared at the head of its queue and in
aftercare (issue 15, item 3); only runs whose settlement on escalations is not at its cap
change, so the fingerprints of revision 2 stand. 4: the operator's hours-per-case knob
steps and is bounded relative to the scenario's own value (the calibrated team's 0.31 lay
below the absolute bounds 0.5–2, so the operator could not move it); identical for a
scenario at 1.0. 5: a team refers a provision it cannot give itself (sheltered housing,
personal care, addiction care: ``SpecialistParams.team_substitutes``) at the provision's
own admission level, not only when acute; the old system's results are unchanged."""
