"""Server handlers and the machinery they share.

``reconcile`` is the one entry (kopf's Server events, the VM/VMI events, the resync, retries): it
does what is due, in order, through ``delete``, ``build`` (``references`` → ``scheduling`` with
the placement ``ledger`` → VM), ``observe`` (VM/VMI → status), ``power`` and ``reboot``. Status
and finalizer writes go through ``writer``; ``resync`` is the periodic safety net. The decisions
themselves are pure, in ``kubenova.status``.
"""
