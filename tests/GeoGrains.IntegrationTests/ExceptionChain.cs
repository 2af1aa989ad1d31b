namespace GeoGrains.IntegrationTests;

/// <summary>Finds the exception a test expects inside what a host or client wrapped it in.</summary>
internal static class ExceptionChain
{
    public static T? Find<T>(Exception error) where T : Exception => error switch
    {
        T match => match,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(e => e is not null),
        { InnerException: { } inner } => Find<T>(inner),
        _ => null,
    };
}
