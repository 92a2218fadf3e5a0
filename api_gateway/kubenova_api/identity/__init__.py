"""A Keystone v3 subset: password authentication, project-scoped tokens, catalog, project/user reads.

Users, projects, roles and bcrypt password hashes live in the Secret ``kubenova-identity``
(YAML, see ``directory``); tokens are Fernet-encrypted with keys from ``kubenova-token-key``;
revoked tokens are filed in ConfigMaps by expiry (``store.revocations``). All are shared by
replicas.
"""
