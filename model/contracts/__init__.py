"""The municipality's contracts: payment rules and access options A–E."""
