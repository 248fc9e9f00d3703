/**
 * Scalars shared by every API area (roles, sides, time in force, day counts) and the login
 * answer. Types only: nothing here is converted or computed.
 */

export type Role = 'investor' | 'dealer' | 'backoffice' | 'operator';
export type Side = 'buy' | 'sell';
export type TimeInForce = 'GTC' | 'DAY' | 'IOC' | 'FOK' | 'GTD';
/** '30/360-ISDA' = ISDA 2006 §4.16(f) bond basis; '30/360-SIFMA' = SIFMA SSCM 30/360 (February rule); '30/360' is accepted on input as '30/360-ISDA'. */
export type DayCount = '30/360-ISDA' | '30/360-SIFMA' | '30/360' | '30E/360' | 'ACT/360' | 'ACT/365F' | 'ACT/ACT-ICMA';

export interface User {
  id: string;
  username: string;
  partyId: string;
  roles: Role[];
}
export interface LoginResult {
  token: string;
  expiresAt: string;
  user: User;
}
