"""Pure decisions over plain values: no Beam, no I/O. Unit tests call these directly."""
