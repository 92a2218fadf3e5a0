"""Nova's rules, pure: the one place each rule of the compute domain lives.

The gateway (``kubenova_api``) and the operator (``kubenova.handlers``) both import from here, so a
rule (which states an action is allowed from, what a server's status is, how a flavor is embedded,
which keypair a server gets) is written once. Nothing here talks to Kubernetes or imports kopf:
every function takes already-read models and returns a decision (import-linter enforces it).

Modules: ``status_table`` (API status from vm_state/task_state), ``actions`` (the action table),
``requests`` (the request inbox that feeds the one action log),
``pending`` (tasks a spec intent implies before the operator takes them up), ``errors``,
``flavors`` (embedding, image fit), ``placement_request`` (zone / forced host), ``zones``,
``footprint``, ``hosts`` (a Node as a compute host), ``keypairs`` (choice and fingerprints), ``names``
(annotation and label names).
"""
