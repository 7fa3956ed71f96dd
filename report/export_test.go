package report

// NiceCeil is niceCeil, for the tests.
var NiceCeil = niceCeil
