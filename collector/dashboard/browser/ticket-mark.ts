// Shared by the host page's server side (pages/host-chart-marks.ts builds it) and its browser module (draws it).
/** A ticket as the charts mark it: a line where it opened and one where it was resolved (or came back). */
export interface TicketMark {
  number: string;
  /** ms */
  openedAt: number;
  restoredAt: number | null;
  severity: string;
  status: string;
  /** The check type the ticket is about; null for the host itself (unreachable), marked on every chart. */
  checkId: string | null;
  title: string;
}
