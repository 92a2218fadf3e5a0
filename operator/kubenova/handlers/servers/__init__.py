"""Server handlers and the machinery they share.

Operations (each a module with its kopf decorators): ``build`` (create/resume), ``power``
(spec.powerState), ``reboot`` (spec.reboot), ``delete`` (finalizer), ``observe`` (VM/VMI state →
status, also run by the periodic ``resync``). Shared: ``writer`` (status writes), ``placement``
(the serialized scheduler), ``references`` (Flavor/Image/Keypair), ``requests`` and
``transitions`` (pure).
"""
