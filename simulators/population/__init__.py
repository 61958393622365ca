"""A local stand-in for the national population database (CSDLQG về dân cư) as the provincial
integration platform (LGSP) exposes it (issue 17)."""
