"""The history checker: recording, specs, the linearizability search, readers, the property."""
