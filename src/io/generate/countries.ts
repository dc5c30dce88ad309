// Where customers and guests are, with the UCI data's mix of countries.

const UK = "United Kingdom";
/** Countries of customers abroad, with relative weights. */
export const ABROAD: readonly [string, number][] = [
  ["Germany", 9.5], ["France", 8.6], ["EIRE", 8.2], ["Spain", 2.5], ["Netherlands", 2.4], ["Belgium", 2.1],
  ["Switzerland", 2.0], ["Portugal", 1.5], ["Australia", 1.3], ["Norway", 1.1], ["Italy", 0.8],
  ["Channel Islands", 0.75], ["Finland", 0.7], ["Cyprus", 0.6], ["Sweden", 0.46], ["Unspecified", 0.45],
  ["Austria", 0.4], ["Denmark", 0.39], ["Japan", 0.36], ["Poland", 0.34], ["Israel", 0.3], ["USA", 0.29],
  ["Hong Kong", 0.29], ["Singapore", 0.23], ["Iceland", 0.18], ["Canada", 0.15], ["Greece", 0.15],
  ["Malta", 0.13], ["United Arab Emirates", 0.07], ["European Community", 0.06], ["RSA", 0.06],
  ["Lebanon", 0.05], ["Lithuania", 0.04], ["Brazil", 0.03], ["Czech Republic", 0.03], ["Bahrain", 0.02],
  ["Saudi Arabia", 0.01],
];
/** Guest orders from abroad are rare and come from a handful of places. */
export const GUEST_ABROAD: readonly string[] = ["EIRE", "Hong Kong", "Switzerland", "Israel", "Unspecified"];
export const GUEST_ABROAD_RATE = 0.02;
/** Where carriage (C2) rather than postage (POST) is charged. */
export const CARRIAGE_COUNTRIES = new Set(["EIRE", "Channel Islands"]);
export const COUNTRIES = [UK, ...ABROAD.map(([c]) => c)];
