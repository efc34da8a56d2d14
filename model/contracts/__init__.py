"""The municipality's contracts: what the operator is paid, and access options A–E.

``funding`` (the payment rule of every funding form, with the contract's terms) and
``access`` (volume control on referrals to specialists): rules of the contract's numbers
and a week's activity, applied by the operator agent and the ``funding`` rule. May import
the layers below (state, :mod:`wijksim.model.config`, :mod:`wijksim.model.core`; today it
needs only the last two), not :mod:`wijksim.model.observation` or anything above.
"""
