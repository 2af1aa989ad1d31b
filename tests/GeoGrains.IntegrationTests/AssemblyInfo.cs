// Every test class starts real regions; running them one at a time keeps the 2-core CI machine from being oversubscribed.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
