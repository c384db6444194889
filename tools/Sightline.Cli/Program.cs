using Sightline.Cli;

// sightline keys create|list|get|rotate|revoke|update ... [--json]; see `sightline keys --help` and docs/apikeys.md.
return await KeysCli.RunAsync(args, Console.Out, Console.Error);
