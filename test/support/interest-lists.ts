/** People as lists of topic indexes, each held with weight 1: the interests view the segmentation steps read. */
export function peopleOf(list: number[][]) {
  return {
    forEachUser(fn: (topics: number[], weights: number[], user: number) => void) {
      list.forEach((topics, user) =>
        fn(
          topics,
          topics.map(() => 1),
          user,
        ),
      );
    },
  };
}
