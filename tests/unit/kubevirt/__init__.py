"""Unit tests of the VirtualMachine builder and the lenient VM/VMI parsing."""
