// Building an Intl.NumberFormat costs far more than the formatting: each currency's is asked once.
const digitsByCurrency = new Map<string, number>();

/** The currency's decimals as ISO 4217 gives them (2 for EUR, 0 for JPY, 3 for KWD). */
function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** Minor units to a display amount: 1999 EUR -> "19.99 EUR". */
export function formatMoney(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
}
