// The npm `smpp` package ships no types; the interoperability tests use it untyped, as an independent peer.
declare module 'smpp';
