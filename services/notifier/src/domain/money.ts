/** The currency's decimals as ISO 4217 gives them (2 for EUR, 0 for JPY, 3 for KWD). */
function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** Minor units to a display amount: 1999 EUR -> "19.99 EUR". */
export function formatMoney(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
}
