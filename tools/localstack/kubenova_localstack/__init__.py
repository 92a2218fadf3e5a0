"""kubenova's local stack: a real kube-apiserver + etcd + kube-controller-manager on 127.0.0.1.

The binaries are built from the Go module proxy by ``tools/controlplane/build.sh``; this package makes
the certificates, starts and stops the processes, and runs the whole project (``make run``) on top.
It depends on the standard library and ``cryptography`` only, so it works before anything else in
the project does.
"""
