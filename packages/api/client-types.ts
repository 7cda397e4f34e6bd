/**
 * Types of the API's answers for clients (the CLI), inferred from the route
 * table's response schemas: a response shape is never written twice.
 */
import type * as z from 'zod/mini';
import type { analyticsRoute, eventOutcomeRoute, getIndicatorRoute, rebuildRoute, reconcileRoute, submitEventsRoute } from './routes.ts';

/** The success body of a route of the table. */
export type ResponseOf<Route extends { readonly response: z.ZodMiniType }> = z.infer<Route['response']>;

export type SubmissionResult = ResponseOf<typeof submitEventsRoute>['results'][number];
export type IndicatorFigure = ResponseOf<typeof getIndicatorRoute>;
export type AnalyticsPage = ResponseOf<typeof analyticsRoute>;
export type AnalyticsRow = AnalyticsPage['rows'][number];
export type EventOutcomeAnswer = ResponseOf<typeof eventOutcomeRoute>;
export type ReconcileAnswer = ResponseOf<typeof reconcileRoute>;
export type RebuildAnswer = ResponseOf<typeof rebuildRoute>;
