# The operator image: built with Maven, run on a JRE as a non-root user.
#   docker build -t registrar-operator:0.1.0-SNAPSHOT .
# No Docker engine runs on the project's CI machines, so CI does not build this image.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# The reactor reads every module's pom; only the operator and what it needs are built.
RUN ./mvnw -B -q -pl operator -am -DskipTests package

FROM eclipse-temurin:17-jre
# 65532: the conventional non-root user of distroless images; the chart runs as it too.
RUN groupadd --system --gid 65532 registrar \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin registrar
COPY --from=build /src/operator/target/registrar-operator.jar /opt/registrar/registrar-operator.jar
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/registrar/registrar-operator.jar"]
