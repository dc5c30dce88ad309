// The product catalogue: giftware-like codes and descriptions (colour variants, renamed products),
// shop prices, a long-tailed popularity, and the service codes (postage, carriage, manual, ...).
import type { Rng } from "../../engine/rng.js";
import { Interner } from "../schema.js";
import { normal, pick } from "./sampling.js";

const COLOURS = [
  "RED", "PINK", "BLUE", "GREEN", "WHITE", "IVORY", "CREAM", "BLACK", "SILVER", "GOLD", "PURPLE",
  "ORANGE", "YELLOW", "PASTEL", "VINTAGE", "ANTIQUE", "RUSTIC", "TURQUOISE", "LILAC", "NATURAL",
];
const MOTIFS = [
  "RETROSPOT", "POLKADOT", "PAISLEY", "STRIPE", "FLORAL", "HANGING HEART", "LOVEBIRDS", "SPACEBOY",
  "DOLLY GIRL", "SCOTTIE DOG", "OWL", "BIRDCAGE", "UNION JACK", "PANTRY", "KASHMIR", "BABUSHKA",
  "SKULLS", "STAR", "ROSES", "BUNNY", "CIRCUS PARADE", "JUNGLE", "PARIS FASHION", "DINOSAUR",
  "ALPHABET", "TEA PARTY", "WOODLAND", "REGENCY", "BAROQUE", "CHRISTMAS", "SNOWFLAKE", "REINDEER",
  "WICKER HEART", "HOME SWEET HOME", "LEAF", "FAIRY CAKE", "CHERRY BLOSSOM", "DOILY", "SWALLOW",
  "HEN HOUSE", "BUTTERFLY", "ROBOT", "GINGHAM", "LOVE HEART", "ENGLISH ROSE", "BEACH HUT",
];
/** Item, typical price, and whether the name is already plural (fits "SET OF n"). */
const ITEMS: readonly [string, number, boolean][] = [
  ["T-LIGHT HOLDER", 1.25, false], ["CHARLOTTE BAG", 0.85, false], ["JUMBO BAG", 1.95, false],
  ["LUNCH BAG", 1.65, false], ["MUG", 1.25, false], ["LUNCH BOX", 1.95, false], ["CAKE TINS", 4.95, true],
  ["METAL SIGN", 2.1, false], ["CUSHION COVER", 3.75, false], ["PHOTO FRAME", 2.55, false],
  ["DRAWER KNOB", 1.25, false], ["BAUBLE", 0.65, false], ["WREATH", 4.25, false],
  ["HOT WATER BOTTLE", 4.65, false], ["PURSE", 2.1, false], ["NOTEBOOK", 1.65, false], ["WRAP", 0.42, false],
  ["PAPER NAPKINS", 0.85, true], ["PARTY BUNTING", 4.95, false], ["DOORMAT", 7.95, false],
  ["CANDLE", 1.45, false], ["COAT RACK", 6.75, false], ["TRINKET BOX", 1.25, false], ["LANTERN", 4.95, false],
  ["ALARM CLOCK", 3.75, false], ["WALL CLOCK", 8.5, false], ["PLATES", 1.65, true], ["BOWL", 1.25, false],
  ["TEAPOT", 4.95, false], ["APRON", 2.95, false], ["TEA TOWELS", 1.25, true], ["STORAGE BOX", 4.25, false],
  ["GIFT BAG", 0.42, false], ["GREETING CARD", 0.42, false], ["STICKERS", 0.85, true],
  ["PAPER CHAIN KIT", 2.95, false], ["CAKE CASES", 0.55, true], ["CHALKBOARD", 2.55, false],
  ["HAND WARMER", 2.1, false], ["WATER BOTTLE", 3.75, false], ["DOORSTOP", 4.25, false],
  ["PEG BAG", 2.55, false], ["BIRD HOUSE", 8.5, false], ["TABLE LAMP", 14.95, false],
  ["CABINET", 39.95, false], ["HANGING DECORATION", 0.85, false], ["TISSUE BOX", 1.25, false],
  ["JEWELLERY BOX", 6.95, false], ["TRAY", 3.95, false], ["PICNIC BASKET", 9.95, false],
  ["UMBRELLA", 5.95, false], ["BACKPACK", 3.95, false], ["PENCILS", 0.65, true], ["MAGNETS", 0.42, true],
  ["KEY RING", 0.65, false], ["SOAP DISH", 2.1, false], ["GLASS JARS", 1.45, true],
  ["TEA CUP AND SAUCER", 2.95, false], ["CHOPPING BOARD", 4.95, false], ["COASTERS", 1.25, true],
];
const SUFFIXES = "ABCDEFGLNPSW";
const CATALOGUE_SIZE = 3_600;
/** Products whose description changed once during the year (both spellings appear). */
const RENAMED_RATE = 0.02;

/** Service codes and special items: [code, description]. Quantities and prices are drawn per use. */
const SERVICES = {
  POST: ["POST", "POSTAGE"],
  DOT: ["DOT", "DOTCOM POSTAGE"],
  MANUAL: ["M", "Manual"],
  DISCOUNT: ["D", "Discount"],
  CARRIAGE: ["C2", "CARRIAGE"],
  BANK: ["BANK CHARGES", "Bank Charges"],
  CRUK: ["CRUK", "CRUK Commission"],
  PADS: ["PADS", "PADS TO MATCH ALL CUSHIONS"],
  NEXT_DAY: ["23444", "Next Day Carriage"],
  IMAGE: ["23702", "High Resolution Image"],
} as const;
export type Service = keyof typeof SERVICES;

export interface Catalogue {
  codes: string[];
  descriptions: string[];
  /** Per product: index of its description, of its second description (-1 = none), its list price. */
  description: Int32Array;
  altDescription: Int32Array;
  price: Float64Array;
  /** Cumulative popularity over the products 0..popular.length-1 (services excluded). */
  popular: Float64Array;
  service: Record<Service, number>;
}

/** Prices end the way shop prices do: pennies under £1, multiples of 5p above. */
export function shopPrice(p: number): number {
  if (p < 1) return Math.max(0.1, Math.round(p * 100) / 100);
  return Math.round(p * 20) / 20;
}

function baseCode(rng: Rng): number {
  const u = rng.nextFloat();
  if (u < 0.65) return 20_600 + rng.nextInt(3_000);
  if (u < 0.85) return 84_000 + rng.nextInt(1_250);
  if (u < 0.95) return 71_000 + rng.nextInt(9_000);
  return 10_000 + rng.nextInt(81_000);
}

export function buildCatalogue(rng: Rng): Catalogue {
  const codes: string[] = [];
  const descriptions = new Interner();
  const description: number[] = [];
  const altDescription: number[] = [];
  const price: number[] = [];
  const usedCodes = new Set<number>([23_444, 23_702]);
  const usedNames = new Set<string>();
  const add = (code: string, desc: string, p: number, alt = -1) => {
    codes.push(code);
    description.push(descriptions.intern(desc));
    altDescription.push(alt);
    price.push(p);
  };
  while (codes.length < CATALOGUE_SIZE) {
    let base = baseCode(rng);
    while (usedCodes.has(base)) base = baseCode(rng);
    usedCodes.add(base);
    const [item, itemPrice, plural] = pick(rng, ITEMS);
    const motif = pick(rng, MOTIFS);
    const style = rng.nextInt(4);
    const setOf = plural && style === 3 ? pick(rng, [3, 4, 6, 12]) : 0;
    const name = (colour: string) =>
      setOf
        ? `SET OF ${setOf} ${colour} ${motif} ${item}`
        : style === 0
          ? `${motif} ${item}`
          : style === 1
            ? `${item} ${motif} DESIGN`
            : `${colour} ${motif} ${item}`;
    const listPrice = itemPrice * Math.exp(0.3 * normal(rng)) * (setOf ? setOf / 2 : 1);
    // A quarter of designs come in colour variants: 85123A, 85123B, ...
    const variants = style >= 2 && rng.nextFloat() < 0.25 ? 2 + rng.nextInt(3) : 1;
    const colours = [...COLOURS];
    for (let v = 0; v < variants && codes.length < CATALOGUE_SIZE; v++) {
      const colour = colours.splice(rng.nextInt(colours.length), 1)[0];
      const desc = name(colour);
      if (usedNames.has(desc)) continue;
      usedNames.add(desc);
      const code = variants > 1 ? `${base}${SUFFIXES[v]}` : String(base);
      const renamed = rng.nextFloat() < RENAMED_RATE ? descriptions.intern(`${desc} ASSORTED`) : -1;
      add(code, desc, shopPrice(listPrice), renamed);
    }
  }
  // Popularity: log-normal weights give a few best sellers and a long tail.
  const popular = new Float64Array(codes.length);
  let acc = 0;
  for (let i = 0; i < codes.length; i++) popular[i] = acc += Math.exp(1.2 * normal(rng));
  for (let i = 0; i < codes.length; i++) popular[i] /= acc;
  const service = {} as Record<Service, number>;
  for (const key of Object.keys(SERVICES) as Service[]) {
    service[key] = codes.length;
    add(SERVICES[key][0], SERVICES[key][1], 0);
  }
  return {
    codes,
    descriptions: descriptions.values,
    description: Int32Array.from(description),
    altDescription: Int32Array.from(altDescription),
    price: Float64Array.from(price),
    popular,
    service,
  };
}
