"""Pure foundations with no I/O: the error tree, addresses, ABI value codecs, log decoding."""
