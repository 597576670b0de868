/* The interactive citation graph (placeholder). */
