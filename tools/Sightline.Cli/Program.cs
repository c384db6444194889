using Sightline.Cli;

// sightline keys create|list|get|rotate|revoke|update ... [--json]; see `sightline keys --help` and docs/apikeys.md.
// sightline projects list|create, sightline ingest-keys create|list|rotate|revoke --project <name|id>; see docs/server.md.
return await KeysCli.RunAsync(args, Console.Out, Console.Error);
