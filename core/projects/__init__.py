"""Projects: an analysis that lasts (catalogue, bulk storage, export/import as one .topiclens file)."""
