"""CRD generation, drift, samples and admission behaviour of the generated CRDs."""
