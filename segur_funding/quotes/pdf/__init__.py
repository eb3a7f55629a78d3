"""Reading PDF quotes (text layer via pypdf): see reader.read_pdf_quote."""
