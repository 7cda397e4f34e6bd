/**
 * Thrown by the contract's conversion functions when given a value the
 * contract does not allow (validation itself never throws: it returns a
 * result). Messages never contain the offending value.
 */
export class ContractError extends Error {
  override readonly name: string = 'ContractError';
}
