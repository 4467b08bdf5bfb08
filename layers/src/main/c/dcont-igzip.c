/*
 * dcont-igzip: a small stable interface over ISA-L's igzip inflater for the layers module (loaded with JNA).
 * ISA-L decompresses gzip about twice as fast as zlib, and decompression is a large part of unpacking a layer.
 * The state struct stays on this side, so Java depends on these four functions only, not on its layout.
 */
#include <isa-l/igzip_lib.h>
#include <stdlib.h>

struct dz {
    struct inflate_state st;
};

void *dcont_igzip_new(void) {
    struct dz *z = calloc(1, sizeof *z);
    if (!z) return NULL;
    isal_inflate_init(&z->st);
    z->st.crc_flag = ISAL_GZIP; /* parse the gzip header, verify the CRC-32 and size in the trailer */
    return z;
}

/* Starts the next member of a multi-member gzip stream. */
void dcont_igzip_reset(void *p) {
    struct dz *z = p;
    isal_inflate_reset(&z->st);
    z->st.crc_flag = ISAL_GZIP;
}

void dcont_igzip_free(void *p) {
    free(p);
}

/*
 * Decompresses from in[0..inlen) into out[0..outcap); io[0] receives the bytes consumed, io[1] the bytes
 * produced. Returns 1 when the member (trailer included) is complete, 0 when it needs more input or output
 * room, or ISA-L's negative error code.
 */
int dcont_igzip_inflate(void *p, const unsigned char *in, int inlen, unsigned char *out, int outcap, int *io) {
    struct dz *z = p;
    z->st.next_in = (unsigned char *)in;
    z->st.avail_in = (unsigned)inlen;
    z->st.next_out = out;
    z->st.avail_out = (unsigned)outcap;
    int r = isal_inflate(&z->st);
    io[0] = inlen - (int)z->st.avail_in;
    io[1] = outcap - (int)z->st.avail_out;
    if (r < 0) return r;
    return z->st.block_state == ISAL_BLOCK_FINISH ? 1 : 0;
}
