/** The four roles of API.md. A user acts for exactly one party. */
export const ROLES = ['investor', 'dealer', 'backoffice', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Back office and operators see every party's data; the others see only their own party's. */
export function seesAllParties(roles: readonly Role[]): boolean {
  return roles.includes('backoffice') || roles.includes('operator');
}
