// Arrays made with room up front. An array literal (`[]`) starts with no room and is copied as it grows
// (at 8 elements, then 16, ...); where the number of elements is known, or nearly, one allocation serves.

/** An empty array with room for `capacity` elements (at least the 8 every Array constructor reserves). */
export function withRoom<T>(capacity: i32): T[] {
  const a = new Array<T>(capacity);
  a.length = 0;
  return a;
}
