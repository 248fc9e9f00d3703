/**
 * Servicing endpoints of ComputeNotesClient: a deal's waterfall, collections and their calendar,
 * distributions, rate fixings and trustee reports.
 */
import { queryString, segment } from '../http.js';
import type {
  RateFixing,
  Collection,
  CollectionCalendarEntry,
  CollectionCorrection,
  CollectionInput,
  TrusteeReport,
  WaterfallDefinition,
  WaterfallDefinitionV1,
} from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the servicing endpoints to a client class. */
export function withServicing<TBase extends ClientBase>(Base: TBase) {
  return class ServicingEndpoints extends Base {
    waterfall(dealId: string): Promise<WaterfallDefinition> {
      return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/waterfall`);
    }

    saveWaterfall(dealId: string, definition: WaterfallDefinition | WaterfallDefinitionV1): Promise<WaterfallDefinition> {
      return this.http.request('PUT', `/api/v1/deals/${segment(dealId)}/waterfall`, { body: definition });
    }

    recordCollection(dealId: string, input: CollectionInput): Promise<Collection> {
      return this.http.request('POST', `/api/v1/deals/${segment(dealId)}/collections`, { body: input });
    }

    /** A new version of the collection (same reference) replacing the active one, before its distribution. */
    correctCollection(dealId: string, reference: string, correction: CollectionCorrection): Promise<Collection> {
      return this.http.request('POST', `/api/v1/deals/${segment(dealId)}/collections/${segment(reference)}/corrections`, {
        body: correction,
      });
    }

    /** The deal's payment dates up to the next one, with their collection periods. */
    collectionCalendar(dealId: string, count?: number): Promise<CollectionCalendarEntry[]> {
      return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/collection-calendar${queryString({ count })}`);
    }

    collections(dealId: string, paymentDate?: string): Promise<Collection[]> {
      return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/collections${queryString({ paymentDate })}`);
    }

    /** `fixings` ({SOFR: "4.40"}) overrides the stored fixing in effect for the period; without it the stored one is used. */
    runDistribution(dealId: string, paymentDate: string, fixings?: Record<string, string>): Promise<TrusteeReport> {
      return this.http.request('POST', `/api/v1/deals/${segment(dealId)}/distributions`, {
        body: { paymentDate, ...(fixings ? { fixings } : {}) },
      });
    }

    /** An index's stored fixings, oldest first (from/to inclusive). */
    rateFixings(index: string, range: { from?: string; to?: string } = {}): Promise<RateFixing[]> {
      return this.http.request('GET', `/api/v1/rate-fixings/${segment(index)}${queryString(range)}`);
    }

    /** Operators and back office: stores (or corrects) an index's fixing for a date; answers the value it replaced. */
    setRateFixing(index: string, date: string, ratePercent: string): Promise<RateFixing & { previousRatePercent: string | null }> {
      return this.http.request('PUT', `/api/v1/rate-fixings/${segment(index)}/${segment(date)}`, { body: { ratePercent } });
    }

    trusteeReports(dealId: string, paymentDate?: string): Promise<TrusteeReport[]> {
      return this.http.request('GET', `/api/v1/deals/${segment(dealId)}/trustee-reports${queryString({ paymentDate })}`);
    }
  };
}
