import escapeHtml from "escape-html";
import { formatMoney } from "./money";
import type { Notification, OrderLine } from "./notification";

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const HEADLINES: Record<string, (ref: string) => { subject: string; lead: string }> = {
  ORDER_CREATED: (ref) => ({
    subject: `Your order ${ref} is placed`,
    lead: "Thank you for your order. We have received it and are getting it ready.",
  }),
  ORDER_CANCELLED: (ref) => ({
    subject: `Your order ${ref} is cancelled`,
    lead: "Your order was cancelled. Nothing more will be charged or shipped for it.",
  }),
  ORDER_COMPLETED: (ref) => ({
    subject: `Your order ${ref} is completed`,
    lead: "Your order is completed. Thank you for shopping with us.",
  }),
};

function lineText(line: OrderLine, currency: string): string {
  return `  ${line.quantity} x ${line.name} (${line.sku}) at ${formatMoney(line.unitPrice, currency)} = ${formatMoney(line.lineTotal, currency)}`;
}

function lineRow(line: OrderLine, currency: string): string {
  const cells = [
    escapeHtml(line.name),
    escapeHtml(line.sku),
    String(line.quantity),
    escapeHtml(formatMoney(line.unitPrice, currency)),
    escapeHtml(formatMoney(line.lineTotal, currency)),
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
}

/**
 * The email of one notification: a plain text and an HTML body from the event's order snapshot
 * (id, lines, total). Every value from the event is escaped in the HTML.
 */
export function renderEmail(notification: Notification): EmailContent {
  const ref = notification.orderId.slice(0, 8);
  const { subject, lead } = (
    HEADLINES[notification.type] ??
    (() => ({
      subject: `Your order ${ref}`,
      lead: notification.message,
    }))
  )(ref);
  const order = notification.order ?? {};
  const currency = order.currency;
  const lines = currency ? (order.items ?? []) : [];
  const total =
    currency && order.totalAmount !== undefined ? formatMoney(order.totalAmount, currency) : null;

  const text = [
    lead,
    "",
    `Order: ${notification.orderId}`,
    ...(lines.length ? ["", ...lines.map((l) => lineText(l, currency!))] : []),
    ...(total ? ["", `Total: ${total}`] : []),
    "",
  ].join("\n");

  const html = [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    `<p>${escapeHtml(lead)}</p>`,
    `<p>Order: <code>${escapeHtml(notification.orderId)}</code></p>`,
    ...(lines.length
      ? [
          "<table><thead><tr><th>Item</th><th>SKU</th><th>Qty</th><th>Unit price</th><th>Line total</th></tr></thead><tbody>",
          ...lines.map((l) => lineRow(l, currency!)),
          "</tbody></table>",
        ]
      : []),
    ...(total ? [`<p><strong>Total: ${escapeHtml(total)}</strong></p>`] : []),
    "</body></html>",
  ].join("\n");

  return { subject, text, html };
}
