package dev.nabla.backend;

/**
 * The sizes of a fused attention call: batch independent problems (the product of the leading dims, e.g. N·heads),
 * queries l, keys s, query/key width e, value width ev; scores scaled by scale; causal: query i sees keys 0..i.
 *
 * @param batch independent (batch, head) problems
 * @param l queries per problem
 * @param s keys per problem
 * @param e query and key width
 * @param ev value width
 * @param scale the factor of the scores
 * @param causal whether query i attends to keys 0..i only
 */
public record AttentionShape(int batch, int l, int s, int e, int ev, double scale, boolean causal) {
    /** The last key query i sees (−1: none). */
    public int lastKey(int i) {
        return causal ? Math.min(i, s - 1) : s - 1;
    }
}
