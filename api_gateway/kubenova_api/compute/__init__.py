"""The compute service: what a Nova request decides, between parsing and rendering.

Routers (``kubenova_api.routers``) parse a request (``schemas``) and call one function here; it
checks policy and Nova's rules (``kubenova.domain``: the action table, pending tasks, flavor fit,
requested placement, zones, footprints), writes through the store, and returns what the router
hands to a view (``views``). Routers never import each other; what several of them need lives
here.

Modules: ``access`` (which objects a caller may see), ``refs`` (what a server's representation
needs from other objects), ``guards`` (the action table applied to a server), ``inbox`` (the
request each spec intent carries to the operator), ``server_create`` / ``server_create_checks``,
``server_listing``, ``servers`` (update, delete), ``server_actions``, ``server_metadata``,
``server_tags``, ``server_instance_actions``, ``quotas``, ``zones``, ``aggregates``.
"""
