// STUB — contract only (issue 3).
export function hmmStub(): i32 { return 0; }
