"""The apiserver's I/O adapter: the HTTPS server and handler chain, serving certificates, the process entry."""
